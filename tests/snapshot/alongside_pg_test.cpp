// Snapshots read on a second session while the statement runs
// (snapshot::Taker, "read alongside"), and every case that must fall back to
// reading in the run's own session before the statement.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <thread>

#include "safedb/config/config.h"
#include "safedb/exec/interrupt.h"
#include "safedb/exec/plan.h"
#include "safedb/exec/runner.h"
#include "safedb/snapshot/snapshot.h"
#include "safedb/sql/analysis.h"
#include "safedb/sql/source.h"
#include "support/pg_cluster.h"
#include "support/run_fixture.h"

using namespace safedb;
using test::RunFixture;

namespace {

// The second session names itself, so that tests can watch it.
constexpr const char* kSideName = "safedb-test-side";

snapshot::SessionOpener side_opener(const RunFixture& f) {
  return [conninfo = test::conninfo(f.database())]() -> Result<db::Connection> {
    Result<db::Connection> c = db::Connection::open(conninfo);
    if (c && !c->exec(std::string("SET application_name = '") + kSideName + "'"))
      return Error::usage("cannot name the second session");
    return c;
  };
}

struct Ran {
  exec::RunReport report;
  int alongside = 0;
  std::optional<snapshot::Manifest> saved;
  std::string blocked;
  std::string folder;
};

// Runs `sql` on the fixture's database like `safedb run` does, with a
// snapshot of every statement that destroys something.
Ran run_snapshotted(const RunFixture& f, const std::string& sql, snapshot::SessionOpener open_side,
                    std::optional<std::uint64_t> max_size = std::nullopt,
                    exec::RunObserver* observer = nullptr) {
  Result<sql::Source> source = sql::Source::from_text("change.sql", sql);
  REQUIRE(source.ok());
  Result<sql::FileAnalysis> analysis = sql::analyse(*source);
  REQUIRE(analysis.ok());
  Result<exec::ExecutionPlan> plan = exec::plan_execution(*analysis, exec::TransactionMode::single);
  REQUIRE(plan.ok());
  std::vector<int> snapshotted;
  for (const sql::Statement& st : analysis->statements) {
    if (!st.destroys.empty()) snapshotted.push_back(st.index);
  }
  Result<db::Connection> conn = db::Connection::open(test::conninfo(f.database()));
  REQUIRE(conn.ok());
  Result<db::TargetIdentity> identity = conn->identify();
  REQUIRE(identity.ok());
  Ran ran;
  ran.folder = f.dir() + "/snapshots/run";
  snapshot::Taker taker(ran.folder, "run", *identity, snapshotted, max_size, false,
                        std::move(open_side));
  exec::RunObserver quiet;
  config::ExecutionSettings settings;
  settings.lock_retries = 0;
  {
    exec::InterruptGuard guard(*conn);
    ran.report = exec::execute(*conn, *source, *analysis, *plan, settings, exec::DryRun::no,
                               observer ? *observer : quiet, &taker);
  }
  ran.alongside = taker.read_alongside();
  ran.saved = taker.saved();
  ran.blocked = taker.blocked();
  return ran;
}

void messages_table(const RunFixture& f, int rows) {
  f.sql(
      "DROP TABLE IF EXISTS messages; CREATE TABLE messages (id bigint PRIMARY KEY, mailbox int "
      "NOT NULL, sent timestamptz NOT NULL, body text); INSERT INTO messages SELECT g, g % 100, "
      "'2026-01-01'::timestamptz + g * interval '1 minute', repeat('body ', g % 40) FROM "
      "generate_series(1, " +
      std::to_string(rows) + ") g");
}

std::string active_side_sessions(const RunFixture& f) {
  return f.sql(std::string("SELECT count(*) FROM pg_stat_activity WHERE application_name = '") +
               kSideName + "' AND state <> 'idle'");
}

}  // namespace

TEST_CASE("rows read alongside the statement are those read before it, and the change commits",
          "[pg][snapshot]") {
  RunFixture f;
  for (const char* change :
       {"DELETE FROM messages WHERE mailbox < 30;\n",
        "UPDATE messages SET body = 'gone' WHERE id <= 1000;\n", "DELETE FROM messages;\n"}) {
    INFO(change);
    messages_table(f, 20000);
    Ran side = run_snapshotted(f, change, side_opener(f));
    REQUIRE(side.report.outcome == exec::Outcome::committed);
    CHECK(side.alongside == 1);
    REQUIRE(side.saved.has_value());
    const std::string after_side = f.fingerprint();
    std::filesystem::remove_all(side.folder);

    messages_table(f, 20000);
    Ran here = run_snapshotted(f, change, {});
    REQUIRE(here.report.outcome == exec::Outcome::committed);
    CHECK(here.alongside == 0);
    REQUIRE(here.saved.has_value());
    CHECK(f.fingerprint() == after_side);
    std::filesystem::remove_all(here.folder);

    REQUIRE(side.saved->tables.size() == 1);
    REQUIRE(here.saved->tables.size() == 1);
    const snapshot::SavedTable& a = side.saved->tables[0];
    const snapshot::SavedTable& b = here.saved->tables[0];
    CHECK(a.digest.rows > 0);
    CHECK(a.digest.rows == b.digest.rows);
    CHECK(a.digest.hash == b.digest.hash);
    CHECK(a.sha256 == b.sha256);
    CHECK(a.scope == b.scope);
    CHECK(active_side_sessions(f) == "0");
  }
}

TEST_CASE("rows are read in the run's session when a second session would not see the same",
          "[pg][snapshot]") {
  RunFixture f;
  struct Case {
    const char* why;
    const char* sql;
    const char* expected_rows;  // what the snapshot must hold
  } cases[] = {
      // An importer of the snapshot does not see the run's own uncommitted rows.
      {"an earlier write",
       "INSERT INTO messages VALUES (50001, 3, now(), 'new');\n"
       "DELETE FROM messages WHERE mailbox = 3;\n",
       "501"},
      // The literal means another moment in another time zone.
      {"a changed setting",
       "SET LOCAL TimeZone = 'Pacific/Kiritimati';\n"
       "DELETE FROM messages WHERE sent < '2026-01-02 00:00';\n",
       "599"},
      // pg_export_snapshot() refuses inside a subtransaction.
      {"a savepoint", "SAVEPOINT s;\nDELETE FROM messages WHERE mailbox < 5;\nRELEASE s;\n",
       "2500"},
      // now() is this transaction's start time.
      {"a predicate tied to the transaction",
       "DELETE FROM messages WHERE sent < now() + interval '100 years';\n", "50000"},
  };
  for (const Case& c : cases) {
    INFO(c.why);
    messages_table(f, 50000);
    Ran ran = run_snapshotted(f, c.sql, side_opener(f));
    INFO((ran.report.failed_index ? "failed" : "ok"));
    REQUIRE(ran.report.outcome == exec::Outcome::committed);
    CHECK(ran.alongside == 0);
    REQUIRE(ran.saved.has_value());
    REQUIRE(ran.saved->tables.size() == 1);
    CHECK(std::to_string(ran.saved->tables[0].digest.rows) == c.expected_rows);
    std::filesystem::remove_all(ran.folder);
  }

  // A second session that cannot connect: read in the run's session.
  messages_table(f, 50000);
  Ran ran = run_snapshotted(f, "DELETE FROM messages WHERE mailbox < 5;\n", [] {
    return Result<db::Connection>(Error::usage("no second session"));
  });
  REQUIRE(ran.report.outcome == exec::Outcome::committed);
  CHECK(ran.alongside == 0);
  REQUIRE(ran.saved.has_value());
  CHECK(ran.saved->tables[0].digest.rows == 2500);
}

TEST_CASE("a statement that fails, or a snapshot too large, while read alongside rolls back",
          "[pg][snapshot]") {
  RunFixture f;
  messages_table(f, 20000);
  f.sql(
      "CREATE TABLE replies (id int PRIMARY KEY, message bigint REFERENCES messages); "
      "INSERT INTO replies VALUES (1, 10)");
  const std::string before = f.fingerprint();

  // The DELETE fails on the foreign key while the rows are being read.
  Ran failed = run_snapshotted(f, "DELETE FROM messages WHERE mailbox < 50;\n", side_opener(f));
  CHECK(failed.report.outcome == exec::Outcome::failed);
  CHECK(failed.alongside == 1);
  CHECK_FALSE(failed.saved.has_value());
  CHECK_FALSE(std::filesystem::exists(failed.folder));
  CHECK(f.fingerprint() == before);
  CHECK(active_side_sessions(f) == "0");

  // The cap is noticed after the statement ran, and still refuses the run.
  Ran big = run_snapshotted(f, "DELETE FROM messages WHERE mailbox >= 50;\n", side_opener(f),
                            std::uint64_t{100000});
  CHECK(big.report.outcome == exec::Outcome::failed);
  CHECK(big.alongside == 1);
  CHECK(big.blocked.find("larger than the policies allow") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(big.folder));
  CHECK(f.fingerprint() == before);
}

namespace {

// Sends SIGINT once the run's statement has finished and the second session
// is still reading: the run is then waiting for the snapshot.
class InterruptWhileWaiting : public exec::RunObserver {
 public:
  explicit InterruptWhileWaiting(const RunFixture& f) : conninfo_(test::conninfo(f.database())) {}
  ~InterruptWhileWaiting() override {
    if (watcher_.joinable()) watcher_.join();
  }
  void step_started(const sql::Statement& /*statement*/) override {
    watcher_ = std::thread([this] {
      Result<db::Connection> c = db::Connection::open(conninfo_);
      if (!c) return;
      for (int i = 0; i < 3000; ++i) {
        Result<db::QueryResult> r = c->exec(
            std::string("SELECT bool_or(application_name = '") + kSideName +
            "' AND state = 'active' AND query LIKE 'COPY%') AND bool_or(application_name <> '" +
            kSideName +
            "' AND state = 'idle in transaction' AND query LIKE 'DELETE%') FROM "
            "pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        if (r && r->at(0, 0) == std::optional<std::string>("t")) {
          seen_waiting = true;
          ::kill(::getpid(), SIGINT);
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }
  std::atomic<bool> seen_waiting{false};

 private:
  std::string conninfo_;
  std::thread watcher_;
};

}  // namespace

TEST_CASE("an interrupt while the run waits for the rows read alongside rolls back",
          "[pg][snapshot]") {
  RunFixture f;
  // Rows whose reading takes far longer than their DELETE: 64 KiB of
  // incompressible text each.
  f.sql(
      "CREATE TABLE blobs (id int PRIMARY KEY, data text); INSERT INTO blobs SELECT g, "
      "(SELECT string_agg(md5(g::text || '/' || k::text), '') FROM generate_series(1, 2048) k) "
      "FROM generate_series(1, 1500) g");
  const std::string before = f.fingerprint();
  InterruptWhileWaiting observer(f);
  Ran ran = run_snapshotted(f, "DELETE FROM blobs WHERE id > 0;\n", side_opener(f), std::nullopt,
                            &observer);
  CHECK(ran.report.outcome == exec::Outcome::interrupted);
  CHECK(observer.seen_waiting);
  REQUIRE(ran.report.steps.size() == 1);
  REQUIRE(ran.report.steps[0].error.has_value());
  CHECK(ran.report.steps[0].error->message == "interrupted by signal while the snapshot was read");
  CHECK(ran.alongside == 1);
  CHECK_FALSE(ran.saved.has_value());
  CHECK_FALSE(std::filesystem::exists(ran.folder));
  CHECK(f.fingerprint() == before);
  CHECK(active_side_sessions(f) == "0");
}

TEST_CASE("safedb run reads a DELETE's rows on a second session", "[pg][snapshot]") {
  RunFixture f;
  test::snapshot_policy(f);
  messages_table(f, 1000);
  // The second session's transaction ends with ROLLBACK (it is read-only);
  // the run's own commits. The server counts it once that session has gone.
  const auto rollbacks = [&] {
    return std::stoll(
        f.sql("SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"));
  };
  const long long before = rollbacks();
  auto r = f.safedb(
      {"run", f.file("d.sql", "DELETE FROM messages WHERE mailbox < 10;\n"), "--target", "db"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  long long after = rollbacks();
  for (int i = 0; i < 100 && after == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = rollbacks();
  }
  CHECK(after > before);
  CHECK(f.sql("SELECT count(*) FROM messages") == "900");
}
