#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "safedb/audit/log.h"
#include "safedb/backup/manifest.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/db/target_identity.h"
#include "safedb/exec/target.h"
#include "safedb/util/result.h"

namespace safedb::backup {

struct VerifyRequest {
  exec::TargetSpec target;
  std::string backups;  // the backups folder
  std::string id;       // a backup id, or "latest": the newest backup of the target's database
  std::optional<std::string> scratch_dsn;  // server to restore on; default: the target's
  std::optional<std::string> pg_bin;
  int jobs = 2;                                     // pg_restore -j
  const crypto::AllowedSigners* signers = nullptr;  // REQUIRES: not null, not empty
  std::optional<std::string> witness;
  bool progress = false;
};

// One thing that is wrong with a backup: where (a file, a table, an index,
// "manifest", "restore") and what.
struct Problem {
  std::string where;
  std::string what;
};

struct VerifyResult {
  std::string id;
  std::string path;
  std::optional<Manifest> manifest;        // when it could be read and trusted
  db::TargetIdentity target;               // the database the backup was checked against
  std::vector<Problem> problems;           // empty: verified
  std::string scratch_database;            // created, restored into and dropped
  std::optional<std::string> drop_failed;  // the scratch database could not be dropped: why
  int tables_compared = 0;
  std::int64_t rows_compared = 0;
  int indexes_checked = 0;                     // by amcheck
  std::optional<std::string> amcheck_skipped;  // why amcheck did not run
  std::int64_t duration_ms = 0;
  std::uint64_t record_seq = 0;  // of the record written
  bool verified() const { return problems.empty(); }
};

// Verifies a backup by restoring it: checks the manifest against its signed
// backup-created record, every dump file's size and SHA-256, that the backup
// is of the target's database (same cluster system identifier and database
// name), then restores it with pg_restore into a new scratch database,
// recomputes every table's content hash there and compares, runs amcheck on
// every restored btree index, and drops the scratch database whatever
// happened. Writes a signed backup-verified or backup-verify-failed record
// and seals the log.
//
// Problems with the backup are results (VerifyResult::problems); an Error
// means the check could not be done (unknown id, unreachable server, no
// pg_restore, no permission to create a database) and nothing was recorded.
Result<VerifyResult> verify_backup(const VerifyRequest& request, audit::AuditLog& log);

}  // namespace safedb::backup
