#include "safedb/backup/create.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "backup/files.h"
#include "backup/records.h"
#include "safedb/backup/history.h"
#include "safedb/backup/pg_tools.h"
#include "safedb/backup/store.h"
#include "safedb/content/content.h"
#include "safedb/crypto/hash.h"
#include "safedb/db/connection.h"
#include "safedb/exec/interrupt.h"
#include "safedb/util/duration.h"
#include "safedb/util/sync.h"
#include "safedb/util/utc_time.h"

namespace safedb::backup {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

Error interrupted() {
  return Error(ExitCode::interrupted, "interrupted: pg_dump stopped; no backup was written");
}

// The snapshot every reader shares, when it was taken, and how big the
// database is. On a standby the data is only as new as the last replayed
// transaction, so that time is used when it is older.
struct Snapshot {
  std::string id;
  std::int64_t unix_time = 0;
  std::uint64_t database_size = 0;
};

Result<Snapshot> export_snapshot(db::Connection& conn) {
  if (Result<db::QueryResult> r = conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"); !r)
    return r.error().within("cannot start the backup's transaction");
  Result<db::QueryResult> r = conn.exec(
      "SELECT pg_catalog.pg_export_snapshot(),"
      " floor(extract(epoch FROM CASE WHEN pg_catalog.pg_is_in_recovery()"
      "   THEN least(now(), coalesce(pg_catalog.pg_last_xact_replay_timestamp(), now()))"
      "   ELSE now() END))::bigint::text,"
      " pg_catalog.pg_database_size(pg_catalog.current_database())::text");
  if (!r) return r.error().within("cannot export a snapshot for pg_dump");
  Snapshot s;
  s.id = r->at(0, 0).value_or("");
  s.unix_time = std::stoll(r->at(0, 1).value_or("0"));
  s.database_size = std::stoull(r->at(0, 2).value_or("0"));
  return s;
}

std::vector<std::string> pg_dump_args(const PgProgram& pg_dump, const CreateRequest& request,
                                      const Snapshot& snapshot, const std::string& into) {
  std::vector<std::string> argv = {
      pg_dump.path,
      "--format=directory",
      fmt::format("--jobs={}", request.jobs),
      "--snapshot=" + snapshot.id,
      fmt::format("--lock-wait-timeout={}", request.lock_timeout.count()),
      "--no-password",
      "--file=" + into};
  if (!request.target.dsn.empty()) argv.push_back("--dbname=" + request.target.dsn);
  return argv;
}

// Why a lock timeout ended the backup, for the one error line.
std::string lock_held(const CreateRequest& request) {
  return fmt::format(
      "another session held a lock on the table for longer than execution.lock_timeout ({}); "
      "no backup was written",
      util::format_duration(request.lock_timeout));
}

nlohmann::json created_payload(const Manifest& m, const CreateRequest& request,
                               const std::string& manifest_sha256, std::int64_t duration_ms) {
  nlohmann::json target = detail::target_json(m.target_name, m.target);
  target["environment"] = request.target.environment;
  return {
      {"backup_id", m.id},
      {"target", target},
      {"backup_unix_time", m.snapshot_unix_time},
      {"backup_time", m.snapshot_time},
      {"manifest_sha256", manifest_sha256},
      {"tables", m.tables.size()},
      {"rows", m.rows()},
      {"files", m.files.size()},
      {"dump_bytes", m.dump_bytes()},
      {"database_size", m.database_size},
      {"pg_dump_version", m.pg_dump_version},
      {"duration_ms", duration_ms},
      {"summary", fmt::format("backup {} of {}: {} tables, {} rows, {}", m.id, m.target.database,
                              m.tables.size(), m.rows(), detail::human_size(m.dump_bytes()))}};
}

}  // namespace

Result<CreatedBackup> create_backup(const CreateRequest& request, audit::AuditLog& log) {
  const auto started = Clock::now();

  // 1. Find pg_dump, connect, identify the database; refuse an older pg_dump.
  Result<PgProgram> pg_dump = find_program("pg_dump", request.pg_bin);
  if (!pg_dump) return pg_dump.error();
  Result<db::Connection> conn = db::Connection::open(request.target.dsn);
  if (!conn) return conn.error();
  Result<db::TargetIdentity> identity = conn->identify();
  if (!identity)
    return Error::usage(fmt::format("cannot identify the target: {}", identity.error().message()));
  if (pg_dump->major() < major_of(identity->server_version_num)) {
    return Error::usage(fmt::format(
        "{} is version {}, older than the server (PostgreSQL {}): an older pg_dump cannot dump a "
        "newer server reliably; install pg_dump {} or newer and point pg_bin at it",
        pg_dump->path, pg_dump->version, identity->server_version,
        major_name(identity->server_version_num)));
  }

  // 2. A temporary folder inside the backups folder, removed unless all goes well.
  Manifest m;
  m.id = new_backup_id(util::now_unix(), identity->database);
  m.target_name = request.target.name;
  m.target = *identity;
  m.pg_dump_version = pg_dump->version;
  m.jobs = request.jobs;
  std::error_code ec;
  fs::create_directories(request.backups, ec);
  if (ec)
    return Error::usage(
        fmt::format("cannot create the backups folder {}: {}", request.backups, ec.message()));
  const std::string temp = (fs::path(request.backups) / (".tmp-" + m.id)).string();
  if (!fs::create_directory(temp, ec) || ec)
    return Error::usage(fmt::format("cannot create {}: {}", temp,
                                    ec ? ec.message() : std::string("it exists already")));
  detail::FolderGuard guard(temp);
  const std::string dump_dir = (fs::path(temp) / kDumpFolder).string();

  // 3. One snapshot for pg_dump and for the manifest; pg_dump runs meanwhile.
  exec::InterruptGuard interrupt(*conn);
  Result<Snapshot> snapshot = export_snapshot(*conn);
  if (!snapshot) return snapshot.error();
  m.snapshot_unix_time = snapshot->unix_time;
  m.snapshot_time = util::format_utc(snapshot->unix_time);
  m.database_size = snapshot->database_size;
  if (Status s = content::pin_text_output(*conn); !s) return s.error();
  if (Result<db::QueryResult> r =
          conn->exec(fmt::format("SET lock_timeout = {}", request.lock_timeout.count()));
      !r)
    return r.error().within("cannot set the backup's lock_timeout");
  detail::ChildProcess dump(pg_dump_args(*pg_dump, request, *snapshot, dump_dir));

  // 4. The content manifest, in the same snapshot, on safedb's own session.
  {
    util::Progress progress(stderr, request.progress, "hashing tables", snapshot->database_size);
    Result<std::vector<content::TableDigest>> tables = content::digest_database(*conn, progress);
    if (!tables) {
      dump.stop();
      if (exec::InterruptGuard::interrupted()) return interrupted();
      const Error e = tables.error().within("cannot compute the backup's manifest");
      if (std::optional<db::DbError> why = conn->last_error(); why && why->sqlstate == "55P03")
        return Error(e.code(), e.message() + "; " + lock_held(request));
      return e;
    }
    m.tables = std::move(tables).value();
  }

  // 5. Wait for pg_dump; any doubt fails the backup with pg_dump's own words.
  {
    util::Progress progress(stderr, request.progress, "pg_dump", snapshot->database_size);
    // Woken as soon as pg_dump ends; every 100 ms for signals and progress.
    while (!dump.wait_for(std::chrono::milliseconds(100))) {
      if (exec::InterruptGuard::interrupted()) {
        dump.stop();
        return interrupted();
      }
      if (request.progress) progress.set(detail::folder_bytes(dump_dir));
    }
  }
  const Result<util::ProcessResult>& dumped = dump.wait();
  if (!dumped) return dumped.error();
  if (exec::InterruptGuard::interrupted()) return interrupted();
  if (std::optional<std::string> failed = detail::program_failure("pg_dump", *dumped))
    return Error(ExitCode::execution_failed, *failed + "; no backup was written");
  if (!fs::is_regular_file(fs::path(dump_dir) / "toc.dat", ec)) {
    return Error(
        ExitCode::execution_failed,
        fmt::format("pg_dump succeeded but wrote no {}/toc.dat; no backup was written", dump_dir));
  }
  // The snapshot may go now that pg_dump has finished with it.
  if (Result<db::QueryResult> r = conn->exec("COMMIT"); !r)
    return r.error().within("cannot end the backup's transaction");

  // 6. Size and SHA-256 of every file pg_dump wrote.
  {
    util::Progress progress(stderr, request.progress, "hashing files",
                            detail::folder_bytes(dump_dir));
    Result<std::vector<DumpFile>> files = hash_dump_files(temp, request.jobs, progress);
    if (!files)
      return Error(ExitCode::execution_failed, files.error().message() + "; no backup was written");
    m.files = std::move(files).value();
  }

  // 7. The manifest, synced, then the folder renamed to its id.
  const std::string manifest_bytes = to_json(m).dump(2) + "\n";
  const std::string manifest_sha256 = crypto::to_hex(crypto::sha256(manifest_bytes));
  if (Status s =
          detail::write_file_synced((fs::path(temp) / kManifestFile).string(), manifest_bytes);
      !s)
    return Error(ExitCode::execution_failed, s.error().message() + "; no backup was written");
  if (Status s = util::sync_folder(temp); !s)
    return Error(ExitCode::execution_failed, s.error().message() + "; no backup was written");
  const std::string final_path = (fs::path(request.backups) / m.id).string();
  fs::rename(temp, final_path, ec);
  if (ec)
    return Error::usage(fmt::format("cannot rename {} to {}: {}", temp, final_path, ec.message()));
  detail::FolderGuard final_guard(final_path);
  guard.keep();
  if (Status s = util::sync_folder(request.backups); !s) return s.error();

  // 8. The signed record, sealed by a checkpoint; without it there is no backup.
  CreatedBackup out;
  out.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  Result<audit::AppendedRecord> record =
      log.append(kCreatedRecord, created_payload(m, request, manifest_sha256, out.duration_ms));
  if (!record) {
    return Error::usage(fmt::format("cannot write the audit log, so the backup was removed: {}",
                                    record.error().message()));
  }
  final_guard.keep();
  if (Result<audit::CheckpointWritten> sealed = log.checkpoint(request.witness); !sealed) {
    return Error::usage(fmt::format("backup {} was recorded, but sealing the log failed: {}", m.id,
                                    sealed.error().message()));
  }
  out.manifest = std::move(m);
  out.path = final_path;
  out.manifest_sha256 = manifest_sha256;
  out.record_seq = record->seq;
  return out;
}

}  // namespace safedb::backup
