#include "safedb/exec/session.h"
#include "safedb/util/sql_quote.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <random>
#include <thread>

namespace safedb::exec {
namespace {

// The advisory lock key pair: classid names safedb, objid 1 is "a run".
// Advisory locks are per database, so this is one lock per target database.
constexpr const char* kRunLockKey = "1396916290, 1";  // 0x53444242 'SDBB'

}  // namespace

Status prepare_session(db::Connection& conn, const std::string& run_id, const std::string& actor,
                       const config::ExecutionSettings& settings) {
  std::string application = "safedb/" + run_id + (actor.empty() ? "" : " " + actor);
  if (application.size() > 63) application.resize(63);  // NAMEDATALEN - 1
  const std::string sql = fmt::format(
      "SET application_name = {}; SET lock_timeout = '{}ms'; SET statement_timeout = '{}ms'; "
      "SET idle_in_transaction_session_timeout = '{}ms'",
      util::quote_literal(application), settings.lock_timeout.count(),
      settings.statement_timeout.count(), settings.idle_in_transaction_session_timeout.count());
  Result<db::QueryResult> r = conn.exec(sql);
  if (!r) return Error::usage(fmt::format("cannot prepare the session: {}", r.error().message()));
  // PostgreSQL 14+: if safedb dies mid-statement, the server notices within a
  // second and rolls back instead of finishing the statement for nobody.
  r = conn.exec(
      "SELECT set_config('client_connection_check_interval', '1000', false) "
      "WHERE current_setting('server_version_num')::int >= 140000");
  if (!r) return Error::usage(fmt::format("cannot prepare the session: {}", r.error().message()));
  return {};
}

Status acquire_run_lock(db::Connection& conn, util::Duration wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    Result<db::QueryResult> r =
        conn.exec(fmt::format("SELECT pg_try_advisory_lock({})", kRunLockKey));
    if (!r) return Error::usage(fmt::format("cannot take the run lock: {}", r.error().message()));
    if (r->at(0, 0) == std::optional<std::string>("t")) return {};
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  Result<db::QueryResult> holder = conn.exec(fmt::format(
      "SELECT a.application_name, a.pid, to_char(a.backend_start AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND (l.classid, l.objid) = ({}) "
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      kRunLockKey));
  std::string who = "another session";
  if (holder && !holder->rows.empty()) {
    who = fmt::format("{} (pid {}, connected since {})", holder->at(0, 0).value_or("?"),
                      holder->at(0, 1).value_or("?"), holder->at(0, 2).value_or("?"));
  }
  return Error(ExitCode::blocked,
               fmt::format("another safedb run holds this database: {}; waited {}", who,
                           util::format_duration(wait)));
}

void release_run_lock(db::Connection& conn) {
  (void)conn.exec(fmt::format("SELECT pg_advisory_unlock({})", kRunLockKey));
}

std::string new_run_id() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::random_device device;
  return fmt::format("r{}-{:08x}", stamp, device());
}

}  // namespace safedb::exec
