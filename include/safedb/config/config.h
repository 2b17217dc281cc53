#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "safedb/util/duration.h"
#include "safedb/util/result.h"

namespace safedb::config {

// A named database target from safedb.json.
struct Target {
  std::string name;
  std::string dsn;          // libpq conninfo or URI, never with a password
  std::string environment;  // "production", "staging", "development" or any label
};

// How statements are executed. Every field documents its default.
struct ExecutionSettings {
  util::Duration lock_timeout{5'000};                          // "5s"
  util::Duration statement_timeout{0};                         // "0s": no limit
  util::Duration idle_in_transaction_session_timeout{60'000};  // "60s"
  int lock_retries = 3;                                        // attempts after the first
  util::Duration retry_backoff{1'000};                         // "1s", doubled per attempt
  util::Duration advisory_lock_wait{5'000};                    // "5s": wait for another safedb run
  // Set by policies, not by safedb.json: the most rows one of `capped`
  // statements may affect before the whole run is rolled back.
  std::optional<std::int64_t> max_rows;
  std::vector<int> capped;
};

// The contents of safedb.json with defaults filled in. Relative paths are
// resolved against the directory of the configuration file.
struct Config {
  std::string path;  // the file read; empty when none exists (defaults only)
  std::map<std::string, Target> targets;
  std::string audit_log = ".safedb/audit.jsonl";
  std::optional<std::string> witness;      // no default: kept by the operator elsewhere
  std::optional<std::string> signing_key;  // e.g. ".safedb/keys/id_ed25519"
  std::optional<std::string> principal;    // who signs; default: from allowed_signers
  std::string allowed_signers = ".safedb/allowed_signers";
  std::string policies = "policies";
  std::string snapshots = ".safedb/snapshots";
  std::string backups = ".safedb/backups";
  std::optional<std::string> scratch_dsn;  // server for restore verification; default: the target's
  int backup_jobs = 2;                     // pg_dump / pg_restore -j
  // Folder holding pg_dump and pg_restore; default: the highest
  // /usr/lib/postgresql/*/bin that has the program, else PATH.
  std::optional<std::string> pg_bin;
  ExecutionSettings execution;
};

// Reads `path`, or ./safedb.json when `path` is empty. When `path` is empty
// and ./safedb.json does not exist, returns the defaults (Config::path empty);
// an explicitly named file must exist. Every problem in the file (syntax,
// unknown keys, wrong types, passwords in connection strings, bad durations)
// is reported at once as "file:line: key: problem" lines.
Result<Config> load(const std::string& path);

// The commented safedb.json that `safedb init` writes.
std::string default_file_text(const std::string& key_path, const std::string& principal);

}  // namespace safedb::config
