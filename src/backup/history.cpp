#include "safedb/backup/history.h"

#include "safedb/audit/listing.h"
#include "safedb/audit/verify.h"

namespace safedb::backup {

BackupHistory read_history(const std::string& log_path, const crypto::AllowedSigners& signers) {
  BackupHistory h;
  Result<std::vector<audit::ListedRecord>> records = audit::trusted_records(log_path, signers);
  if (!records) {
    h.unusable = records.error().message();
    return h;
  }
  for (audit::ListedRecord& r : *records) {
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
