#include "safedb/backup/verify.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "backup/files.h"
#include "backup/records.h"
#include "backup/scratch_restore.h"
#include "safedb/backup/history.h"
#include "safedb/backup/pg_tools.h"
#include "safedb/backup/store.h"
#include "safedb/db/connection.h"
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
void check_files(const std::string& folder, const Manifest& m, int threads, bool show_progress,
                 std::vector<Problem>& problems) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec)) {
    const std::string name = e.path().filename().string();
    if (name != kManifestFile && name != kDumpFolder)
      problems.push_back({name, "not part of the backup (not in the manifest)"});
  }
  util::Progress progress(stderr, show_progress, "checking files", m.dump_bytes());
  Result<std::vector<DumpFile>> found = hash_dump_files(folder, threads, progress);
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
  if (out.problems.empty())
    check_files(*folder, *out.manifest, req.jobs, req.progress, out.problems);
  if (out.problems.empty() &&
      pg_restore->major() < major_of(version_num_of(out.manifest->pg_dump_version))) {
    return Error::usage(
        fmt::format("{} is version {}, older than the pg_dump {} that wrote the "
                    "backup; point pg_bin at a newer one",
                    pg_restore->path, pg_restore->version, out.manifest->pg_dump_version));
  }

  // 4. Restore it and compare it with what the database held.
  detail::ScratchServer scratch;
  if (out.problems.empty()) {
    if (Status s = detail::restore_and_compare(req, *pg_restore, *folder, out, scratch); !s)
      return s.error();
  }

  // 5. The verdict, signed and sealed.
  out.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  const bool ok = out.problems.empty();
  Result<audit::AppendedRecord> record =
      ok ? log.append(kVerifiedRecord, verified_payload(out, req, found_sha, scratch.host,
                                                        scratch.port, pg_restore->version))
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
