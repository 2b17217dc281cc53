#include "backup/scratch_restore.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "backup/files.h"
#include "backup/index_check.h"
#include "backup/restored_tables.h"
#include "backup/scratch.h"
#include "safedb/content/content.h"
#include "safedb/db/connection.h"
#include "safedb/db/conninfo.h"
#include "safedb/exec/interrupt.h"
#include "safedb/util/progress.h"

namespace safedb::backup::detail {
namespace {

namespace fs = std::filesystem;
constexpr auto kPoll = std::chrono::milliseconds(20);

bool interrupted() {
  return exec::InterruptGuard::interrupted();
}

Error interrupted_error() {
  return Error(ExitCode::interrupted,
               "interrupted: pg_restore stopped and the scratch database dropped; nothing was "
               "recorded");
}

// pg_restore of one section into the scratch database, stopped at its first error.
std::vector<std::string> section_argv(const VerifyRequest& req, const PgProgram& pg_restore,
                                      const std::string& dsn, const std::string& folder,
                                      const char* section) {
  return {pg_restore.path,
          fmt::format("--jobs={}", req.jobs),
          fmt::format("--section={}", section),
          "--exit-on-error",
          "--no-owner",
          "--no-privileges",
          "--no-publications",
          "--no-subscriptions",
          "--no-password",
          "--dbname=" + dsn,
          (fs::path(folder) / kDumpFolder).string()};
}

// Why a finished section failed, or nullopt; an Error when it could not run.
Result<std::optional<std::string>> section_failure(ChildProcess& section, const char* name) {
  const Result<util::ProcessResult>& r = section.wait();
  if (!r) return r.error();
  return program_failure(fmt::format("pg_restore (section {})", name), *r);
}

}  // namespace

Status restore_and_compare(const VerifyRequest& req, const PgProgram& pg_restore,
                           const std::string& folder, VerifyResult& out, ScratchServer& where) {
  const Manifest& m = *out.manifest;
  const std::string scratch_dsn = req.scratch_dsn.value_or(req.target.dsn);
  Result<db::Connection> admin = db::Connection::open(scratch_dsn);
  if (!admin) return admin.error().within("scratch server");
  Result<db::TargetIdentity> server = admin->identify();
  if (!server) return server.error().within("scratch server");
  where = {server->host, server->port};
  const int version = server->server_version_num;
  if (major_of(version) < major_of(m.target.server_version_num)) {
    return Error::usage(fmt::format(
        "the scratch server {} runs PostgreSQL {}, older than the backup's server ({}); restore "
        "on a server at least as new (--scratch or backups.scratch_dsn)",
        admin->describe_target(), server->server_version, m.target.server_version));
  }

  // Declared in this order so that, however this ends, the hasher stops,
  // then the sessions close, then the scratch database is dropped, all
  // while SIGINT and SIGTERM are still caught.
  exec::InterruptGuard interrupt(*admin);
  ScratchDatabase scratch(*admin, scratch_name(out.id), version);
  out.scratch_database = scratch.name();
  if (Status s = scratch.create(); !s) return s;
  Result<std::string> dsn = db::with_database(scratch_dsn, scratch.name());
  if (!dsn) return dsn.error();
  auto argv = [&](const char* section) {
    return section_argv(req, pg_restore, *dsn, folder, section);
  };
  // The sessions that read the tables back and check the indexes (the
  // second one first watches the data section), then the readers on them:
  // declared after the sessions, the readers stop before the sessions close.
  Result<db::Connection> copy = db::Connection::open(*dsn);
  if (!copy) return copy.error().within("scratch database");
  Result<db::Connection> checker = db::Connection::open(*dsn);
  if (!checker) return checker.error().within("scratch database");
  std::optional<TableHasher> hasher;
  std::optional<IndexCheck> amcheck;
  auto hashing_failed = [&] {
    Result<std::vector<content::TableDigest>> found = hasher->wait();
    return found ? Error::usage("reading the restored copy stopped")
                 : found.error().within("cannot read the restored copy");
  };
  // How a section ended: nullopt when it succeeded and verification goes
  // on; otherwise what to return. A section that failed is a problem of the
  // verification: the readers stop and the scratch database is dropped.
  auto ended = [&](ChildProcess& section, const char* name) -> std::optional<Status> {
    if (!section.done()) section.stop();
    if (interrupted()) return Status(interrupted_error());
    if (hasher && hasher->failed()) return Status(hashing_failed());
    Result<std::optional<std::string>> failed = section_failure(section, name);
    if (!failed) return Status(failed.error());
    if (!*failed) return std::nullopt;
    out.problems.push_back({"restore", std::move(**failed)});
    amcheck.reset();
    hasher.reset();
    if (Status s = scratch.drop(); !s) out.drop_failed = s.error().message();
    return Status();
  };

  // 1. pre-data: the schema, with the tables still empty and no indexes yet.
  {
    util::Progress progress(stderr, req.progress, "pg_restore (pre-data)");
    ChildProcess pre_data(argv("pre-data"));
    while (!pre_data.wait_for(kPoll) && !interrupted()) {
    }
    if (std::optional<Status> end = ended(pre_data, "pre-data")) return *end;
  }

  // 2. The tables to read back, now that they exist.
  if (Status s = content::pin_text_output(*copy); !s)
    return s.error().within("cannot read the restored copy");
  Result<std::vector<content::TableDigest>> tables = content::list_tables(*copy);
  if (!tables) return tables.error().within("cannot read the restored copy");
  hasher.emplace(*copy, std::move(*tables));

  // 3. data: every table is handed to the hasher as soon as its rows are
  //    committed, while the other tables still load.
  {
    util::Progress progress(stderr, req.progress, "pg_restore (data)");
    ChildProcess data(argv("data"));
    LoadWatch watch(*checker, version);
    bool watching = true;
    while (!data.done() && !interrupted() && !hasher->failed()) {
      if (watching) {
        Result<std::vector<std::size_t>> loaded = watch.poll(hasher->tables());
        watching = loaded.ok();
        for (std::size_t i : loaded ? *loaded : std::vector<std::size_t>{})
          hasher->ready(i);
      }
      data.wait_for(kPoll);
    }
    if (std::optional<Status> end = ended(data, "data")) return *end;
    hasher->all_ready();
  }

  // 4. post-data (indexes, constraints, triggers; rows no longer change)
  //    while the hasher reads on and amcheck checks each index once built.
  amcheck.emplace(*checker, version);
  {
    util::Progress progress(stderr, req.progress, "pg_restore (post-data)");
    ChildProcess post_data(argv("post-data"));
    while (!post_data.wait_for(kPoll) && !interrupted() && !hasher->failed()) {
    }
    if (std::optional<Status> end = ended(post_data, "post-data")) return *end;
    amcheck->post_data_done();
  }

  // 5. The rest of the hashing and of amcheck.
  {
    util::Progress progress(stderr, req.progress, "hashing restored tables", m.database_size);
    while (!(hasher->done() && amcheck->done()) && !interrupted() && !hasher->failed()) {
      progress.set(hasher->bytes());
      std::this_thread::sleep_for(kPoll);
    }
  }
  if (interrupted()) return interrupted_error();
  Result<std::vector<content::TableDigest>> found = hasher->wait();
  if (!found) return found.error().within("cannot read the restored copy");
  hasher.reset();
  for (const content::Difference& d : content::compare(m.tables, *found))
    out.problems.push_back({"table " + d.table, d.what});
  out.tables_compared = static_cast<int>(found->size());
  for (const content::TableDigest& t : *found)
    out.rows_compared += t.rows;
  const VerifyResult& checked = amcheck->wait();
  for (const Problem& p : checked.problems)
    out.problems.push_back(p);
  out.indexes_checked = checked.indexes_checked;
  out.amcheck_skipped = checked.amcheck_skipped;
  amcheck.reset();
  checker = Error::usage("closed");
  copy = Error::usage("closed");  // disconnect before the drop
  if (Status s = scratch.drop(); !s) out.drop_failed = s.error().message();
  return {};
}

}  // namespace safedb::backup::detail
