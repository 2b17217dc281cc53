#include "safedb/config/config.h"

#include <fmt/format.h>

#include <filesystem>

#include "safedb/db/conninfo.h"
#include "safedb/util/jsonc.h"

namespace safedb::config {
namespace {

namespace fs = std::filesystem;

std::string resolve(const fs::path& base, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (base / path).lexically_normal().string();
}

void read_execution(util::JsonReader& r, ExecutionSettings& e) {
  if (!r.object("/execution",
                {"lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout",
                 "lock_retries", "retry_backoff", "advisory_lock_wait"})) {
    return;
  }
  if (auto d = r.duration("/execution/lock_timeout")) e.lock_timeout = *d;
  if (auto d = r.duration("/execution/statement_timeout")) e.statement_timeout = *d;
  if (auto d = r.duration("/execution/idle_in_transaction_session_timeout")) {
    e.idle_in_transaction_session_timeout = *d;
  }
  if (auto d = r.duration("/execution/retry_backoff")) e.retry_backoff = *d;
  if (auto d = r.duration("/execution/advisory_lock_wait")) e.advisory_lock_wait = *d;
  if (auto n = r.integer("/execution/lock_retries")) {
    if (*n < 0 || *n > 100) {
      r.problem("/execution/lock_retries", "must be between 0 and 100");
    } else {
      e.lock_retries = static_cast<int>(*n);
    }
  }
  if (e.lock_timeout.count() == 0)
    r.problem("/execution/lock_timeout",
              "must be more than 0: safedb never waits for locks without a limit");
}

void read_targets(util::JsonReader& r, Config& c) {
  // The keys of "targets" are names the user chose; each must be an object.
  for (const std::string& name : r.keys("/targets")) {
    const std::string at = "/targets/" + util::pointer_token(name);
    if (!r.object(at, {"dsn", "environment"})) continue;
    Target t;
    t.name = name;
    auto dsn = r.string(at + "/dsn");
    auto env = r.string(at + "/environment");
    if (!dsn) r.problem(at, "needs \"dsn\": a libpq connection string or postgresql:// URI");
    if (!env)
      r.problem(at, "needs \"environment\": production, staging, development or another label");
    if (!dsn || !env) continue;
    Result<db::ConninfoSummary> info = db::inspect_conninfo(*dsn);
    if (!info) {
      r.problem(at + "/dsn", info.error().message());
      continue;
    }
    if (info->has_password) {
      r.problem(
          at + "/dsn",
          "contains a password; use ~/.pgpass, PGPASSFILE, a service file or PGPASSWORD instead");
      continue;
    }
    if (env->empty()) {
      r.problem(at + "/environment", "must not be empty");
      continue;
    }
    t.dsn = *dsn;
    t.environment = *env;
    c.targets[name] = t;
  }
}

}  // namespace

Result<Config> load(const std::string& path) {
  Config c;
  std::string file = path.empty() ? "safedb.json" : path;
  std::error_code ec;
  if (path.empty() && !fs::exists(file, ec)) return c;  // defaults only

  Result<util::JsonDocument> doc = util::load_jsonc(file);
  if (!doc) return doc.error();
  c.path = file;
  const fs::path base = fs::absolute(file).parent_path();

  util::JsonReader r(*doc);
  if (!doc->value.is_object()) {
    r.problem("", "expected an object at the top level");
    return r.finish().error();
  }
  // The targets object holds names chosen by the user; it is checked below.
  std::vector<std::string_view> known = {"version",         "targets",  "audit",     "signing",
                                         "allowed_signers", "policies", "snapshots", "backups",
                                         "execution",       "pg_bin"};
  r.object("", known);
  if (auto v = r.integer("/version"); v && *v != 1)
    r.problem("/version", "only version 1 is understood");
  if (r.has("/targets") && !doc->value["targets"].is_object()) {
    r.problem("/targets", "expected an object of named targets");
  } else {
    read_targets(r, c);
  }
  if (r.object("/audit", {"log", "witness"})) {
    if (auto v = r.string("/audit/log")) c.audit_log = *v;
    if (auto v = r.string("/audit/witness")) c.witness = *v;
  }
  if (r.object("/signing", {"key", "principal"})) {
    if (auto v = r.string("/signing/key")) c.signing_key = *v;
    if (auto v = r.string("/signing/principal")) c.principal = *v;
  }
  if (auto v = r.string("/allowed_signers")) c.allowed_signers = *v;
  if (auto v = r.string("/policies")) c.policies = *v;
  if (auto v = r.string("/snapshots")) c.snapshots = *v;
  if (r.object("/backups", {"dir", "scratch_dsn", "jobs"})) {
    if (auto v = r.string("/backups/dir")) c.backups = *v;
    if (auto v = r.string("/backups/scratch_dsn")) {
      Result<db::ConninfoSummary> info = db::inspect_conninfo(*v);
      if (!info)
        r.problem("/backups/scratch_dsn", info.error().message());
      else if (info->has_password)
        r.problem("/backups/scratch_dsn",
                  "contains a password; use ~/.pgpass, PGPASSFILE, a service file or PGPASSWORD "
                  "instead");
      else
        c.scratch_dsn = *v;
    }
    if (auto v = r.integer("/backups/jobs")) {
      if (*v < 1 || *v > 64)
        r.problem("/backups/jobs", "must be between 1 and 64");
      else
        c.backup_jobs = static_cast<int>(*v);
    }
  }
  if (auto v = r.string("/pg_bin")) {
    if (v->empty())
      r.problem("/pg_bin", "must name a folder (leave it out to search the usual places)");
    else
      c.pg_bin = *v;
  }
  read_execution(r, c.execution);
  if (Status s = r.finish(); !s) return s.error();

  c.audit_log = resolve(base, c.audit_log);
  if (c.witness) c.witness = resolve(base, *c.witness);
  if (c.signing_key) c.signing_key = resolve(base, *c.signing_key);
  c.allowed_signers = resolve(base, c.allowed_signers);
  c.policies = resolve(base, c.policies);
  c.snapshots = resolve(base, c.snapshots);
  c.backups = resolve(base, c.backups);
  if (c.pg_bin) c.pg_bin = resolve(base, *c.pg_bin);
  return c;
}

std::string default_file_text(const std::string& key_path, const std::string& principal) {
  return fmt::format(R"(// safedb configuration. JSON with comments; every key is documented in
// docs/configuration.md. Relative paths are relative to this file.
{{
  "version": 1,

  // Named databases. Connection strings never hold passwords: libpq reads them
  // from ~/.pgpass, PGPASSFILE, a service file or PGPASSWORD.
  "targets": {{
    "dev": {{"dsn": "dbname=app_dev", "environment": "development"}}
    // "staging": {{"dsn": "postgresql://migrator@staging.internal/app", "environment": "staging"}},
    // "prod": {{"dsn": "host=db.internal dbname=app user=migrator", "environment": "production"}}
  }},

  // The signed audit log, and the witness file each checkpoint is also appended
  // to (keep it where the operator cannot silently rewrite it).
  "audit": {{
    "log": ".safedb/audit.jsonl"
    // "witness": "/mnt/audit-witness/app.checkpoints"
  }},

  // The key that signs audit records, and who it belongs to.
  "signing": {{"key": "{}", "principal": "{}"}},
  // Who may sign (OpenSSH allowed_signers format).
  "allowed_signers": ".safedb/allowed_signers",

  "policies": "policies",
  "snapshots": ".safedb/snapshots",
  "backups": {{"dir": ".safedb/backups", "jobs": 2}},

  "execution": {{
    "lock_timeout": "5s",
    "statement_timeout": "0s",
    "idle_in_transaction_session_timeout": "60s",
    "lock_retries": 3,
    "retry_backoff": "1s",
    "advisory_lock_wait": "5s"
  }}
}}
)",
                     key_path, principal);
}

}  // namespace safedb::config
