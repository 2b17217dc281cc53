#include <fmt/format.h>

#include "safedb/report/check_report.h"

namespace safedb::report {
namespace {

// Workflow command escaping: data escapes %, CR, LF; properties also ':' and ','.
std::string escape_data(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_property(std::string_view s) {
  std::string out;
  for (char c : escape_data(s)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

std::string_view command(sql::Severity s) {
  switch (s) {
    case sql::Severity::error:
      return "error";
    case sql::Severity::warning:
      return "warning";
    case sql::Severity::info:
      return "notice";
  }
  return "error";
}

}  // namespace

std::string render_github(const std::vector<CheckedFile>& files, const PolicyContext* policy) {
  std::string out;
  for (const CheckedFile& file : files) {
    for (const sql::Finding* f : findings_of(file.analysis)) {
      if (f->suppressed_because) continue;  // reviewed and justified in the file itself
      out += fmt::format("::{} file={},line={},col={},title={}::{}\n", command(f->severity),
                         escape_property(file.analysis.path), f->position.line, f->position.column,
                         escape_property("safedb " + f->rule),
                         escape_data(f->message + ". " + f->help));
    }
    if (policy == nullptr || !file.requirements) continue;
    for (const policy::Denial& d : file.requirements->denials) {
      out +=
          fmt::format("::error file={},line={},title={}::{}\n", escape_property(file.analysis.path),
                      d.line, escape_property("safedb policy " + d.rule.file + " " + d.rule.rule),
                      escape_data(d.message));
    }
    std::string text;
    for (const std::string& line : policy::describe(*file.requirements)) {
      if (!line.starts_with("refused:")) text += (text.empty() ? "" : "; ") + line;
    }
    if (!text.empty()) {
      out += fmt::format("::notice file={},title={}::{}\n", escape_property(file.analysis.path),
                         escape_property("safedb policy (" + policy->environment + ")"),
                         escape_data("Running this file requires: " + text + "."));
    }
  }
  return out;
}

}  // namespace safedb::report
