#include "safedb/backup/verify.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "backup/files.h"
#include "backup/records.h"
#include "safedb/backup/history.h"
#include "safedb/backup/pg_tools.h"
#include "safedb/backup/store.h"
#include "safedb/content/content.h"
#include "safedb/db/connection.h"
#include "safedb/db/conninfo.h"
#include "safedb/exec/interrupt.h"
#include "safedb/util/utc_time.h"

namespace safedb::backup {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

bool same_database(const db::TargetIdentity& a, const db::TargetIdentity& b) {
  return a.system_identifier == b.system_identifier && a.database == b.database;
}

// The folder of backup `id`, or of the newest backup of `identity`'s database
// for "latest": the latest snapshot, and of two in one second the one
// recorded last.
Result<std::string> find_backup(const std::string& backups, const std::string& id,
                                const db::TargetIdentity& identity, const BackupHistory& history) {
  if (id != "latest") {
    if (id.empty() || id.find('/') != std::string::npos || id.starts_with("."))
      return Error::usage(fmt::format("'{}' is not a backup id", id));
    const fs::path folder = fs::path(backups) / id;
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
      return Error::usage(
          fmt::format("unknown backup id '{}': no folder {} (safedb backup list shows the backups)",
                      id, folder.string()));
    return folder.string();
  }
  Result<std::vector<FolderEntry>> entries = scan_backups(backups);
  if (!entries) return entries.error();
  const FolderEntry* latest = nullptr;
  std::pair<std::int64_t, std::int64_t> newest{0, 0};
  for (const FolderEntry& e : *entries) {
    if (!e.problem.empty() || !same_database(e.stored->manifest->target, identity)) continue;
    auto created = history.created.find(e.id);
    const std::pair<std::int64_t, std::int64_t> when{
        e.stored->manifest->snapshot_unix_time,
        created == history.created.end() ? -1 : static_cast<std::int64_t>(created->second.seq)};
    if (latest == nullptr || when > newest) {
      latest = &e;
      newest = when;
    }
  }
  if (latest == nullptr) {
    if (entries->empty())
      return Error::usage(fmt::format("no backups in {}: safedb backup create makes one", backups));
    return Error::usage(fmt::format("no backup of cluster {} database \"{}\" in {}",
                                    identity.system_identifier, identity.database, backups));
  }
  return latest->path;
}

// Checks every file of the backup against the manifest: missing, truncated
// or changed files, and files the manifest does not list.
void check_files(const std::string& folder, const Manifest& m, bool show_progress,
                 std::vector<Problem>& problems) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec)) {
    const std::string name = e.path().filename().string();
    if (name != kManifestFile && name != kDumpFolder)
      problems.push_back({name, "not part of the backup (not in the manifest)"});
  }
  util::Progress progress(stderr, show_progress, "checking files", m.dump_bytes());
  Result<std::vector<DumpFile>> found = hash_dump_files(folder, progress);
  if (!found) {
    problems.push_back({std::string(kDumpFolder), found.error().message()});
    return;
  }
  std::map<std::string, const DumpFile*> present;
  for (const DumpFile& f : *found)
    present[f.path] = &f;
  for (const DumpFile& expected : m.files) {
    auto it = present.find(expected.path);
    if (it == present.end()) {
      problems.push_back(
          {expected.path, fmt::format("missing ({} bytes expected)", expected.size)});
      continue;
    }
    const DumpFile& f = *it->second;
    present.erase(it);
    if (f.size < expected.size) {
      problems.push_back(
          {f.path, fmt::format("truncated: {} bytes, {} expected", f.size, expected.size)});
    } else if (f.size != expected.size) {
      problems.push_back({f.path, fmt::format("{} bytes, {} expected", f.size, expected.size)});
    } else if (f.sha256 != expected.sha256) {
      problems.push_back(
          {f.path, fmt::format("content changed: sha256 {}, {} expected", f.sha256.substr(0, 16),
                               expected.sha256.substr(0, 16))});
    }
  }
  for (const auto& [path, f] : present)
    problems.push_back({path, fmt::format("not in the manifest ({} bytes)", f->size)});
}

// A database created on the scratch server for one verification, dropped
// when this object ends whatever happened before.
class ScratchDatabase {
 public:
  ScratchDatabase(db::Connection& admin, std::string name, int server_version)
      : admin_(admin), name_(std::move(name)), server_version_(server_version) {}
  ~ScratchDatabase() { (void)drop(); }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string sql_name() const {
    std::string quoted = "\"";
    for (char c : name_)
      quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  }
  Status create() {
    Result<db::QueryResult> r =
        admin_.exec(fmt::format("CREATE DATABASE {} TEMPLATE template0", sql_name()));
    if (!r)
      return Error::usage(fmt::format("cannot create the scratch database {} on {}: {}", name_,
                                      admin_.describe_target(), r.error().message()));
    created_ = true;
    return {};
  }
  // Drops it (terminating sessions still connected, from PostgreSQL 13 on).
  Status drop() {
    if (!created_) return {};
    created_ = false;
    const std::string force = server_version_ >= 130000 ? " WITH (FORCE)" : "";
    Result<db::QueryResult> r =
        admin_.exec(fmt::format("DROP DATABASE IF EXISTS {}{}", sql_name(), force));
    if (!r)
      return Error::usage(
          fmt::format("cannot drop the scratch database {} on {}: {}; drop it by "
                      "hand (DROP DATABASE {})",
                      name_, admin_.describe_target(), r.error().message(), sql_name()));
    return {};
  }

 private:
  db::Connection& admin_;
  std::string name_;
  int server_version_;
  bool created_ = false;
};

std::string scratch_name(const std::string& id) {
  std::string name = "safedb_verify_";
  for (char c : id)
    name += std::isalnum(static_cast<unsigned char>(c)) != 0
                ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                : '_';
  std::random_device device;
  const std::string suffix = fmt::format("_{:04x}", device() & 0xffffu);
  if (name.size() > 63 - suffix.size()) name.resize(63 - suffix.size());
  return name + suffix;
}

Error interrupted() {
  return Error(ExitCode::interrupted,
               "interrupted: pg_restore stopped and the scratch database dropped; nothing was "
               "recorded");
}

// amcheck on every btree index of the restored database, until `stop`.
void check_indexes(db::Connection& conn, int server_version, VerifyResult& out,
                   const std::atomic<bool>& stop) {
  if (server_version < 110000) {
    out.amcheck_skipped = "amcheck's heapallindexed check needs PostgreSQL 11 or newer";
    return;
  }
  if (Result<db::QueryResult> r = conn.exec("CREATE EXTENSION IF NOT EXISTS amcheck"); !r) {
    out.amcheck_skipped = fmt::format(
        "the amcheck extension cannot be created on the scratch "
        "server: {}",
        r.error().message());
    return;
  }
  Result<db::QueryResult> indexes = conn.exec(
      "SELECT c.oid::text, format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_index i"
      " JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " JOIN pg_catalog.pg_am a ON a.oid = c.relam"
      " WHERE a.amname = 'btree' AND i.indisvalid AND i.indisready AND c.relpersistence <> 't'"
      "   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'"
      " ORDER BY 2");
  if (!indexes) {
    out.amcheck_skipped = fmt::format("cannot list the indexes: {}", indexes.error().message());
    return;
  }
  const std::string function = [&] {
    Result<db::QueryResult> r = conn.exec(
        "SELECT format('%I.bt_index_check', n.nspname) FROM pg_catalog.pg_extension e"
        " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'");
    return r && !r->rows.empty() ? r->at(0, 0).value_or("bt_index_check")
                                 : std::string("bt_index_check");
  }();
  for (const auto& row : indexes->rows) {
    if (stop) return;
    const std::string oid = row[0].value_or("0");
    const std::string name = row[1].value_or("?");
    Result<db::QueryResult> r =
        conn.exec(fmt::format("SELECT {}({}::pg_catalog.regclass, true)", function, oid));
    if (!r) {
      out.problems.push_back({"index " + name, "amcheck: " + r.error().message()});
      if (!conn.is_open()) return;
    }
    ++out.indexes_checked;
  }
}

json verified_payload(const VerifyResult& r, const VerifyRequest& req, const std::string& sha,
                      const std::string& scratch_host, int scratch_port,
                      const std::string& pg_restore_version) {
  const Manifest& m = *r.manifest;
  json payload = {
      {"backup_id", r.id},
      {"target", detail::target_json(req.target.name, r.target)},
      {"backup_unix_time", m.snapshot_unix_time},
      {"backup_time", m.snapshot_time},
      {"manifest_sha256", sha},
      {"scratch",
       {{"host", scratch_host}, {"port", scratch_port}, {"database", r.scratch_database}}},
      {"pg_restore_version", pg_restore_version},
      {"tables", r.tables_compared},
      {"rows", r.rows_compared},
      {"indexes_checked", r.indexes_checked},
      {"amcheck_skipped", r.amcheck_skipped ? json(*r.amcheck_skipped) : json(nullptr)},
      {"duration_ms", r.duration_ms},
      {"summary", fmt::format("backup {} of {} restored and verified: {} tables, {} rows match{}",
                              r.id, r.target.database, r.tables_compared, r.rows_compared,
                              r.amcheck_skipped
                                  ? "; amcheck skipped"
                                  : fmt::format("; {} indexes pass amcheck", r.indexes_checked))}};
  return payload;
}

json failed_payload(const VerifyResult& r, const VerifyRequest& req, const std::string& sha) {
  json problems = json::array();
  for (const Problem& p : r.problems)
    problems.push_back({{"where", p.where}, {"what", p.what}});
  return {
      {"backup_id", r.id},
      {"target", detail::target_json(req.target.name, r.target)},
      {"manifest_sha256", sha},
      {"problems", problems},
      {"duration_ms", r.duration_ms},
      {"summary",
       fmt::format(
           "backup {} FAILED verification: {}: {}{}", r.id, r.problems[0].where, r.problems[0].what,
           r.problems.size() > 1 ? fmt::format(" (and {} more)", r.problems.size() - 1) : "")}};
}

// Restores the backup into a scratch database and compares it with the
// manifest; problems go to `out`. An Error means the check could not be done.
Status restore_and_compare(const VerifyRequest& req, const PgProgram& pg_restore,
                           const std::string& folder, VerifyResult& out, std::string& scratch_host,
                           int& scratch_port) {
  const Manifest& m = *out.manifest;
  const std::string scratch_dsn = req.scratch_dsn.value_or(req.target.dsn);
  Result<db::Connection> admin = db::Connection::open(scratch_dsn);
  if (!admin) return admin.error().within("scratch server");
  Result<db::TargetIdentity> server = admin->identify();
  if (!server) return server.error().within("scratch server");
  scratch_host = server->host;
  scratch_port = server->port;
  if (major_of(server->server_version_num) < major_of(m.target.server_version_num)) {
    return Error::usage(fmt::format(
        "the scratch server {} runs PostgreSQL {}, older than the backup's server ({}); restore "
        "on a server at least as new (--scratch or backups.scratch_dsn)",
        admin->describe_target(), server->server_version, m.target.server_version));
  }

  ScratchDatabase scratch(*admin, scratch_name(out.id), server->server_version_num);
  out.scratch_database = scratch.name();
  {
    exec::InterruptGuard interrupt(*admin);
    if (Status s = scratch.create(); !s) return s;
    Result<std::string> dsn = db::with_database(scratch_dsn, scratch.name());
    if (!dsn) return dsn.error();

    // 1. pg_restore into it, stopped at its first error.
    detail::ChildProcess restore({pg_restore.path, fmt::format("--jobs={}", req.jobs),
                                  "--exit-on-error", "--no-owner", "--no-privileges",
                                  "--no-publications", "--no-subscriptions", "--no-password",
                                  "--dbname=" + *dsn, (fs::path(folder) / kDumpFolder).string()});
    {
      util::Progress progress(stderr, req.progress, "pg_restore");
      while (!restore.done() && !exec::InterruptGuard::interrupted())
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (exec::InterruptGuard::interrupted()) {
      restore.stop();
      (void)scratch.drop();
      return interrupted();
    }
    const Result<util::ProcessResult>& restored = restore.wait();
    if (!restored) return restored.error();
    if (std::optional<std::string> failed = detail::program_failure("pg_restore", *restored)) {
      out.problems.push_back({"restore", *failed});
      if (Status s = scratch.drop(); !s) out.drop_failed = s.error().message();
      return {};
    }

    // 2. The restored copy's content, table by table, against the manifest,
    //    while amcheck checks every restored btree index on a session of its own.
    Result<db::Connection> copy = db::Connection::open(*dsn);
    if (!copy) return copy.error().within("scratch database");
    Result<db::Connection> checker = db::Connection::open(*dsn);
    if (!checker) return checker.error().within("scratch database");
    VerifyResult checked;
    std::atomic<bool> stop_checking{false};
    {
      std::jthread amcheck(
          [&] { check_indexes(*checker, server->server_version_num, checked, stop_checking); });
      exec::InterruptGuard copy_interrupt(*copy);
      Result<std::vector<content::TableDigest>> found = Error::usage("not read");
      {
        util::Progress progress(stderr, req.progress, "hashing restored tables", m.database_size);
        if (Status s = content::pin_text_output(*copy); !s) {
          found = s.error();
        } else {
          found = content::digest_database(*copy, progress);
        }
      }
      if (exec::InterruptGuard::interrupted() || !found) {
        stop_checking = true;
        checker->cancel();
      }
      amcheck.join();
      if (exec::InterruptGuard::interrupted()) {
        copy = Error::usage("closed");
        checker = Error::usage("closed");
        (void)scratch.drop();
        return interrupted();
      }
      if (!found) return found.error().within("cannot read the restored copy");
      for (const content::Difference& d : content::compare(m.tables, *found))
        out.problems.push_back({"table " + d.table, d.what});
      out.tables_compared = static_cast<int>(found->size());
      for (const content::TableDigest& t : *found)
        out.rows_compared += t.rows;
    }
    for (Problem& p : checked.problems)
      out.problems.push_back(std::move(p));
    out.indexes_checked = checked.indexes_checked;
    out.amcheck_skipped = checked.amcheck_skipped;
    checker = Error::usage("closed");
    copy = Error::usage("closed");  // disconnect before the drop
    if (Status s = scratch.drop(); !s) out.drop_failed = s.error().message();
  }
  return {};
}

}  // namespace

Result<VerifyResult> verify_backup(const VerifyRequest& req, audit::AuditLog& log) {
  const auto started = Clock::now();
  VerifyResult out;

  // 1. The target's identity, the backup's folder, and pg_restore.
  Result<db::Connection> conn = db::Connection::open(req.target.dsn);
  if (!conn) return conn.error();
  Result<db::TargetIdentity> identity = conn->identify();
  if (!identity)
    return Error::usage(fmt::format("cannot identify the target: {}", identity.error().message()));
  conn = Error::usage("closed");
  out.target = *identity;
  BackupHistory history = read_history(log.path(), *req.signers);
  Result<std::string> folder = find_backup(req.backups, req.id, out.target, history);
  if (!folder) return folder.error();
  out.path = *folder;
  out.id = fs::path(*folder).filename().string();
  Result<PgProgram> pg_restore = find_program("pg_restore", req.pg_bin);
  if (!pg_restore) return pg_restore.error();

  // 2. The manifest must be the one the signed backup-created record names.
  std::string found_sha;
  Result<StoredManifest> stored = read_manifest(*folder);
  if (!stored && stored.error().code() != ExitCode::no) return stored.error();
  if (history.unusable) {
    out.problems.push_back({"audit log", *history.unusable});
  } else if (auto created = history.created.find(out.id); created == history.created.end()) {
    out.problems.push_back(
        {"manifest.json", fmt::format("no signed backup-created record for backup {} in {}: the "
                                      "backup cannot be trusted",
                                      out.id, log.path())});
  } else if (!stored) {
    out.problems.push_back({"manifest.json", "missing"});
  } else {
    found_sha = stored->sha256;
    const json& payload = created->second.payload;
    const std::string signed_sha = payload.value("manifest_sha256", "");
    if (stored->sha256 != signed_sha) {
      out.problems.push_back(
          {"manifest.json",
           fmt::format("changed since the backup was made: sha256 {}, but the signed "
                       "backup-created record (seq {}) says {}",
                       stored->sha256.substr(0, 16), created->second.seq,
                       signed_sha.substr(0, 16))});
    } else if (!stored->manifest) {
      out.problems.push_back({"manifest.json", stored->problem});
    } else {
      out.manifest = stored->manifest;
    }
  }

  // 3. Of this very database, with every file intact.
  if (out.manifest && !same_database(out.manifest->target, out.target)) {
    out.problems.push_back(
        {"target",
         fmt::format("backup {} is of cluster {} database \"{}\", not of the target "
                     "(cluster {} database \"{}\")",
                     out.id, out.manifest->target.system_identifier, out.manifest->target.database,
                     out.target.system_identifier, out.target.database)});
  }
  if (out.problems.empty()) check_files(*folder, *out.manifest, req.progress, out.problems);
  if (out.problems.empty() &&
      pg_restore->major() < major_of(version_num_of(out.manifest->pg_dump_version))) {
    return Error::usage(
        fmt::format("{} is version {}, older than the pg_dump {} that wrote the "
                    "backup; point pg_bin at a newer one",
                    pg_restore->path, pg_restore->version, out.manifest->pg_dump_version));
  }

  // 4. Restore it and compare it with what the database held.
  std::string scratch_host;
  int scratch_port = 0;
  if (out.problems.empty()) {
    if (Status s = restore_and_compare(req, *pg_restore, *folder, out, scratch_host, scratch_port);
        !s)
      return s.error();
  }

  // 5. The verdict, signed and sealed.
  out.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  const bool ok = out.problems.empty();
  Result<audit::AppendedRecord> record =
      ok ? log.append(kVerifiedRecord, verified_payload(out, req, found_sha, scratch_host,
                                                        scratch_port, pg_restore->version))
         : log.append(kVerifyFailedRecord, failed_payload(out, req, found_sha));
  if (!record)
    return Error::usage(fmt::format("backup {} {}, but the audit log could not record it: {}",
                                    out.id, ok ? "verified" : "failed verification",
                                    record.error().message()));
  out.record_seq = record->seq;
  if (Result<audit::CheckpointWritten> sealed = log.checkpoint(req.witness); !sealed)
    return Error::usage(fmt::format("the verification was recorded, but sealing the log failed: {}",
                                    sealed.error().message()));
  return out;
}

}  // namespace safedb::backup
