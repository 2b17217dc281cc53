#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

#include "safedb/audit/record.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/util/result.h"

namespace safedb::backup {

// Audit record types written by the backup commands (docs/audit-log-format.md).
inline constexpr std::string_view kCreatedRecord = "backup-created";
inline constexpr std::string_view kVerifiedRecord = "backup-verified";
inline constexpr std::string_view kVerifyFailedRecord = "backup-verify-failed";

// What the signed audit log says about each backup, by backup id.
struct BackupHistory {
  std::map<std::string, audit::Record> created;  // the backup-created record
  // The latest backup-verified or backup-verify-failed record about the
  // backup's own database (attempts against another database do not count).
  std::map<std::string, audit::Record> last_verification;
  // Why the log cannot be trusted (it does not verify against the signers);
  // the maps are then empty.
  std::optional<std::string> unusable;
};

// Reads the log at `log_path` after verifying it against `signers` like the
// gates do (every signature, the chain and the checkpoints; a run left
// incomplete by a crash is tolerated). A missing or empty log is an empty
// history.
BackupHistory read_history(const std::string& log_path, const crypto::AllowedSigners& signers);

}  // namespace safedb::backup
