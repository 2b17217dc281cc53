#include <fmt/format.h>

#include "safedb/audit/verify.h"

namespace safedb::audit {
namespace {

const char* file_name(Finding::File file) {
  return file == Finding::File::log ? "log" : "witness";
}

std::string rate(std::uint64_t count, double seconds) {
  return seconds > 0 ? fmt::format("{:.0f}/s", static_cast<double>(count) / seconds) : "-";
}

}  // namespace

std::string render_text(const VerifyReport& report) {
  std::string out;
  for (const Finding& f : report.findings) {
    const std::string& path = f.file == Finding::File::log ? report.log_path : *report.witness_path;
    std::string where = f.line == 0 ? path : fmt::format("{}:{}", path, f.line);
    if (f.seq) where += fmt::format(" (seq {})", *f.seq);
    out += fmt::format("{}: {}: {}\n", where, f.check, f.message);
  }
  std::string summary =
      fmt::format("{} records, {} signed by their actor's trusted key, {} checkpoints",
                  report.records, report.signatures_verified, report.checkpoints);
  if (report.witness_path) {
    summary += fmt::format(", {} witness checkpoints matching", report.witness_checkpoints);
  }
  summary +=
      fmt::format(" ({:.2f} s, {} records)", report.seconds, rate(report.records, report.seconds));
  if (report.intact()) {
    out += fmt::format("intact: {}\n", summary);
    if (report.latest_checkpoint) {
      out += fmt::format("latest checkpoint: {} size {} root {}\n",
                         report.latest_checkpoint->origin, report.latest_checkpoint->size,
                         crypto::base64_encode(report.latest_checkpoint->root));
    }
  } else {
    out += fmt::format("NOT INTACT: {} problem{} found; {}\n", report.findings.size(),
                       report.findings.size() == 1 ? "" : "s", summary);
  }
  return out;
}

nlohmann::json to_json(const VerifyReport& report) {
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& f : report.findings) {
    findings.push_back(
        {{"file", file_name(f.file)},
         {"path", f.file == Finding::File::log ? report.log_path : *report.witness_path},
         {"line", f.line},
         {"seq", f.seq ? nlohmann::json(*f.seq) : nlohmann::json(nullptr)},
         {"check", f.check},
         {"message", f.message}});
  }
  nlohmann::json out = {{"intact", report.intact()},
                        {"log", report.log_path},
                        {"witness", report.witness_path ? nlohmann::json(*report.witness_path)
                                                        : nlohmann::json(nullptr)},
                        {"origin", report.origin},
                        {"records", report.records},
                        {"signatures_verified", report.signatures_verified},
                        {"checkpoints", report.checkpoints},
                        {"witness_checkpoints", report.witness_checkpoints},
                        {"seconds", report.seconds},
                        {"findings", std::move(findings)}};
  if (report.latest_checkpoint) {
    out["latest_checkpoint"] = {{"origin", report.latest_checkpoint->origin},
                                {"size", report.latest_checkpoint->size},
                                {"root", crypto::base64_encode(report.latest_checkpoint->root)}};
  }
  return out;
}

}  // namespace safedb::audit
