#include "safedb/backup/history.h"

#include <fmt/format.h>

#include <filesystem>

#include "safedb/audit/listing.h"
#include "safedb/audit/verify.h"

namespace safedb::backup {

BackupHistory read_history(const std::string& log_path, const crypto::AllowedSigners& signers) {
  BackupHistory h;
  std::error_code ec;
  if (!std::filesystem::exists(log_path, ec) || std::filesystem::file_size(log_path, ec) == 0)
    return h;
  Result<audit::VerifyReport> report = audit::verify_log({log_path, std::nullopt, 0}, signers);
  if (!report) {
    h.unusable = report.error().message();
    return h;
  }
  for (const audit::Finding& f : report->findings) {
    if (f.check != "incomplete-run") {
      h.unusable = fmt::format("the audit log {} does not verify ({} at line {}: {})", log_path,
                               f.check, f.line, f.message);
      return h;
    }
  }
  Result<audit::Listing> listing = audit::list_records(log_path, audit::ListFilter{});
  if (!listing) {
    h.unusable = listing.error().message();
    return h;
  }
  for (audit::ListedRecord& r : listing->records) {
    const nlohmann::json& p = r.record.payload;
    const std::string id = p.value("backup_id", "");
    if (id.empty()) continue;
    if (r.record.type == kCreatedRecord) {
      h.created.emplace(id, r.record);  // the first one counts; a second cannot replace it
    } else if (r.record.type == kVerifiedRecord || r.record.type == kVerifyFailedRecord) {
      // Only attempts against the backup's own database say something about it.
      auto created = h.created.find(id);
      if (created == h.created.end()) continue;
      const nlohmann::json& made =
          created->second.payload.value("target", nlohmann::json::object());
      const nlohmann::json& checked = p.value("target", nlohmann::json::object());
      if (made.value("system_identifier", "") != checked.value("system_identifier", "x") ||
          made.value("database", "") != checked.value("database", "x"))
        continue;
      h.last_verification[id] = r.record;
    }
  }
  return h;
}

}  // namespace safedb::backup
