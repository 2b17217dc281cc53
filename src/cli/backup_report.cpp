#include "cli/backup_report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backup/records.h"
#include "safedb/backup/history.h"

namespace safedb::cli {
namespace {

// Keys in the order people read them; programs must not rely on the order.
using json = nlohmann::ordered_json;

json target_json(const db::TargetIdentity& t) {
  return {{"database", t.database},
          {"system_identifier", t.system_identifier},
          {"host", t.host},
          {"port", t.port}};
}

json or_null(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

std::string created_text(const backup::CreatedBackup& made, const std::string& next_target) {
  const backup::Manifest& m = made.manifest;
  return fmt::format(
      "backup {} of {}\n  {} tables, {} rows; dump {} ({} files) in {:.1f} s\n"
      "  snapshot taken {}\n  folder {}\n  recorded: backup-created, audit log seq {} (manifest "
      "sha256 {})\n  next: safedb backup verify {} --target {}\n",
      m.id, m.target.describe(), m.tables.size(), m.rows(),
      backup::detail::human_size(m.dump_bytes()), m.files.size(),
      static_cast<double>(made.duration_ms) / 1000, m.snapshot_time, made.path, made.record_seq,
      made.manifest_sha256.substr(0, 16), m.id, next_target);
}

std::string created_json(const backup::CreatedBackup& made) {
  const backup::Manifest& m = made.manifest;
  const json out = {{"version", 1},
                    {"backup_id", m.id},
                    {"path", made.path},
                    {"target", target_json(m.target)},
                    {"snapshot_time", m.snapshot_time},
                    {"snapshot_unix_time", m.snapshot_unix_time},
                    {"tables", m.tables.size()},
                    {"rows", m.rows()},
                    {"files", m.files.size()},
                    {"dump_bytes", m.dump_bytes()},
                    {"duration_ms", made.duration_ms},
                    {"manifest_sha256", made.manifest_sha256},
                    {"record", {{"type", backup::kCreatedRecord}, {"seq", made.record_seq}}}};
  return out.dump(2) + "\n";
}

std::string verified_text(const backup::VerifyResult& r) {
  if (r.verified()) {
    return fmt::format(
        "backup {} verified: restored into {} and compared: {} tables, {} rows match the "
        "manifest\n  {}\n  snapshot taken {}\n  recorded: backup-verified, audit log seq {}\n",
        r.id, r.scratch_database, r.tables_compared, r.rows_compared,
        r.amcheck_skipped
            ? "amcheck skipped: " + *r.amcheck_skipped
            : fmt::format("amcheck: {} btree indexes checked, no corruption", r.indexes_checked),
        r.manifest->snapshot_time, r.record_seq);
  }
  std::string out = fmt::format("backup {} FAILED verification ({} problem{}):\n", r.id,
                                r.problems.size(), r.problems.size() == 1 ? "" : "s");
  for (const backup::Problem& p : r.problems)
    out += fmt::format("  {}: {}\n", p.where, p.what);
  out += fmt::format("  recorded: backup-verify-failed, audit log seq {}\n", r.record_seq);
  return out;
}

std::string verified_json(const backup::VerifyResult& r) {
  json problems = json::array();
  for (const backup::Problem& p : r.problems)
    problems.push_back({{"where", p.where}, {"what", p.what}});
  const json out = {
      {"version", 1},
      {"backup_id", r.id},
      {"path", r.path},
      {"verified", r.verified()},
      {"problems", problems},
      {"target", target_json(r.target)},
      {"snapshot_time", r.manifest ? json(r.manifest->snapshot_time) : json(nullptr)},
      {"scratch_database", r.scratch_database.empty() ? json(nullptr) : json(r.scratch_database)},
      {"scratch_drop_problem", or_null(r.drop_failed)},
      {"tables_compared", r.tables_compared},
      {"rows_compared", r.rows_compared},
      // Nothing restored (the backup failed its file checks): nothing checked either.
      {"amcheck", r.scratch_database.empty() ? json(nullptr)
                                             : json{{"indexes_checked", r.indexes_checked},
                                                    {"skipped", or_null(r.amcheck_skipped)}}},
      {"duration_ms", r.duration_ms},
      {"record",
       {{"type", r.verified() ? backup::kVerifiedRecord : backup::kVerifyFailedRecord},
        {"seq", r.record_seq}}}};
  return out.dump(2) + "\n";
}

}  // namespace safedb::cli
