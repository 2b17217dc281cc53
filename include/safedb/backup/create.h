#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "safedb/audit/log.h"
#include "safedb/backup/manifest.h"
#include "safedb/exec/target.h"
#include "safedb/util/duration.h"
#include "safedb/util/result.h"

namespace safedb::backup {

struct CreateRequest {
  exec::TargetSpec target;
  std::string backups;                // the backups folder (created if missing)
  std::optional<std::string> pg_bin;  // where pg_dump is; see find_program()
  int jobs = 2;                       // pg_dump -j
  // How long pg_dump and the manifest's session wait for a table lock
  // another session holds before the backup fails (execution.lock_timeout).
  util::Duration lock_timeout{5'000};
  std::optional<std::string> witness;  // for the closing checkpoint
  bool progress = false;               // draw progress lines on stderr
};

struct CreatedBackup {
  Manifest manifest;
  std::string path;  // <backups>/<id>
  std::string manifest_sha256;
  std::int64_t duration_ms = 0;
  std::uint64_t record_seq = 0;  // of the backup-created record
};

// Takes a backup of the target: pg_dump -Fd of one exported snapshot while
// the same snapshot's content manifest is computed on safedb's own session,
// then the SHA-256 of every dump file, manifest.json, and a signed
// backup-created record sealed by a checkpoint. A table lock held by another
// session for longer than `lock_timeout` fails the backup instead of
// queueing every later writer behind it. Any failure (pg_dump's exit
// status, a signal, error lines, a missing toc.dat, a failed write, the
// audit log) leaves no backup behind; SIGINT and SIGTERM stop pg_dump and
// end with exit status "interrupted".
Result<CreatedBackup> create_backup(const CreateRequest& request, audit::AuditLog& log);

}  // namespace safedb::backup
