#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "safedb/db/connection.h"
#include "safedb/util/process.h"
#include "support/pg_cluster.h"
#include "support/run_fixture.h"

using nlohmann::json;
using safedb::test::RunFixture;

namespace {

// Waits until a safedb session of this database runs a statement containing `text`.
void wait_for_statement(const RunFixture& f, const std::string& text) {
  for (int i = 0; i < 200; ++i) {
    std::string n = f.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
        "application_name LIKE "
        "'safedb/%' AND state = 'active' AND query LIKE '%" +
        text + "%'");
    if (n == "1") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("safedb never ran a statement containing " << text);
}

// Waits until no safedb session of this database is left on the server.
void wait_for_no_session(const RunFixture& f) {
  for (int i = 0; i < 200; ++i) {
    if (f.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
              "application_name LIKE 'safedb/%'") == "0") {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("a safedb session stayed on the server");
}

// Starts a run that deletes a row and then sleeps, and waits until it sleeps:
// the moment to interrupt or kill it.
std::unique_ptr<safedb::test::BackgroundSafedb> start_long_run(const RunFixture& f) {
  auto run = std::make_unique<safedb::test::BackgroundSafedb>(
      std::vector<std::string>{
          "run", f.file("m.sql", "DELETE FROM t WHERE id = 1;\nSELECT pg_sleep(30);\n"), "--target",
          "db"},
      f.dir());
  wait_for_statement(f, "pg_sleep");
  return run;
}

}  // namespace

TEST_CASE("a multi-statement migration commits and reports every step", "[pg][exec]") {
  RunFixture f;
  f.sql(
      "CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts SELECT g, 100 "
      "FROM generate_series(1, 50) g");
  auto r = f.safedb({"run",
                     f.file("m.sql",
                            "UPDATE accounts SET balance = 0 WHERE id <= 10;\n"
                            "DELETE FROM accounts WHERE id > 45;\n"
                            "ALTER TABLE accounts ADD COLUMN note text;\n"
                            "CREATE INDEX CONCURRENTLY accounts_note ON accounts (note);\n"),
                     "--target", "db", "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);
  CHECK(doc["outcome"] == "committed");
  CHECK(doc["statements"][0]["rows"] == 10);
  CHECK(doc["statements"][1]["rows"] == 5);
  CHECK(doc["statements"][3]["transactional"] == false);
  CHECK(doc["statements"][3]["status"] == "applied");
  CHECK(f.sql("SELECT count(*) FROM accounts WHERE balance = 0") == "10");
  CHECK(f.sql("SELECT count(*) FROM accounts") == "45");
  CHECK(f.sql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_note'::regclass") ==
        "t");
  CHECK(f.records("intent").size() == 1);
  CHECK(f.records("outcome").size() == 1);
  CHECK(f.verify().exit_code == 0);
}

TEST_CASE("a failing statement in the middle leaves the database byte-for-byte unchanged",
          "[pg][exec]") {
  RunFixture f;
  f.sql(
      "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM "
      "generate_series(1, 100) g");
  const std::string before = f.fingerprint();
  auto r = f.safedb({"run",
                     f.file("m.sql",
                            "UPDATE t SET v = 'changed' WHERE id < 50;\n"
                            "ALTER TABLE t ADD COLUMN w int;\n"
                            "INSERT INTO t (id, v) VALUES (1, 'duplicate');\n"
                            "DELETE FROM t WHERE id > 10;\n"),
                     "--target", "db"});
  CHECK(r.exit_code == 4);
  CHECK(r.out.find("m.sql:3:1: ERROR: duplicate key value violates unique constraint \"t_pkey\" "
                   "(SQLSTATE 23505)") != std::string::npos);
  CHECK(r.out.find("DETAIL: Key (id)=(1) already exists.") != std::string::npos);
  CHECK(r.out.find("failed and rolled back; the database is unchanged") != std::string::npos);
  CHECK(f.fingerprint() == before);
  auto outcome = json::parse(f.records("outcome").at(0));
  CHECK(outcome["payload"]["result"] == "failed");
  CHECK(outcome["payload"]["statements"][2]["error"]["sqlstate"] == "23505");
  CHECK(f.verify().exit_code == 0);
}

TEST_CASE("dry-run leaves the database unchanged and reports rows, locks and catalog changes",
          "[pg][exec]") {
  RunFixture f;
  f.sql(
      "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'x' FROM "
      "generate_series(1, 30) g");
  const std::string before = f.fingerprint();
  auto r = f.safedb({"dry-run",
                     f.file("m.sql",
                            "UPDATE t SET v = 'y' WHERE id <= 7;\n"
                            "ALTER TABLE t ADD COLUMN w int;\n"
                            "CREATE TABLE u (id int);\n"
                            "VACUUM t;\n"),
                     "--target", "db", "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);
  CHECK(doc["outcome"] == "rolled-back");
  CHECK(doc["statements"][0]["rows"] == 7);
  CHECK(doc["statements"][0]["locks"].dump().find("\"RowExclusiveLock\"") != std::string::npos);
  CHECK(doc["statements"][1]["locks"] ==
        json::parse(R"([{"mode":"AccessExclusiveLock","relation":"public.t"}])"));
  CHECK(doc["statements"][3]["status"] == "not-run");
  const std::string changes = doc["catalog_changes"].dump();
  CHECK(changes.find(R"({"change":"altered","kind":"table","name":"public.t"})") !=
        std::string::npos);
  CHECK(changes.find(R"({"change":"created","kind":"table","name":"public.u"})") !=
        std::string::npos);
  CHECK(f.fingerprint() == before);
  CHECK(f.sql("SELECT to_regclass('public.u') IS NULL") == "t");
  auto record = json::parse(f.records("dry-run").at(0));
  CHECK(record["payload"]["result"] == "succeeded");
  CHECK(record["payload"]["not_rehearsed"] == json::array({3}));
  CHECK(f.records("intent").empty());
}

TEST_CASE("a failing non-transactional step after the commit is reported as partially applied",
          "[pg][exec]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int)");
  auto r = f.safedb({"run",
                     f.file("m.sql",
                            "INSERT INTO t VALUES (1), (1);\n"
                            "CREATE UNIQUE INDEX CONCURRENTLY t_id ON t (id);\n"),
                     "--target", "db"});
  CHECK(r.exit_code == 5);
  CHECK(r.out.find("the steps marked applied are in effect") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM t") == "2");
  auto outcome = json::parse(f.records("outcome").at(0));
  CHECK(outcome["payload"]["result"] == "partially-applied");
  CHECK(outcome["payload"]["statements"][0]["status"] == "applied");
  CHECK(outcome["payload"]["statements"][1]["status"] == "failed");
}

TEST_CASE("behind another session's lock, a run retries and then fails without blocking others",
          "[pg][exec]") {
  RunFixture f(R"("lock_timeout": "200ms", "lock_retries": 2, "retry_backoff": "300ms")");
  f.sql("CREATE TABLE a (id int); CREATE TABLE b (id int); INSERT INTO a VALUES (1)");
  auto holder = safedb::db::Connection::open(safedb::test::conninfo(f.database()));
  REQUIRE(holder.ok());
  REQUIRE(holder->exec("BEGIN; LOCK TABLE b IN ACCESS EXCLUSIVE MODE").ok());

  safedb::test::BackgroundSafedb run(
      {"run",
       f.file("m.sql", "UPDATE a SET id = 2 WHERE id = 1;\nALTER TABLE b ADD COLUMN c int;\n"),
       "--target", "db", "--format", "json"},
      f.dir());
  // Meanwhile a third session keeps asking for the table safedb locked first.
  // safedb gives its locks back between attempts, so that session never waits
  // longer than safedb's lock_timeout plus the time one statement takes.
  auto third = safedb::db::Connection::open(safedb::test::conninfo(f.database()));
  REQUIRE(third.ok());
  int refused = 0;
  for (int i = 0; i < 15; ++i) {
    if (!third
             ->exec(
                 "SET lock_timeout = '1s'; BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE; ROLLBACK")
             .ok()) {
      ++refused;
      (void)third->exec("ROLLBACK");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto r = run.wait();
  CHECK(refused == 0);
  CHECK(r.exit_code == 4);
  json doc = json::parse(r.out);
  CHECK(doc["attempts"] == 3);
  CHECK(doc["statements"][1]["error"]["sqlstate"] == "55P03");
  CHECK(f.sql("SELECT id FROM a") == "1");
}

TEST_CASE("a second run on the same database fails cleanly and names the first", "[pg][exec]") {
  RunFixture f(R"("lock_timeout": "2s", "advisory_lock_wait": "300ms")");
  f.sql("CREATE TABLE t (id int)");
  safedb::test::BackgroundSafedb first(
      {"run", f.file("slow.sql", "SELECT pg_sleep(3);\n"), "--target", "db"}, f.dir());
  wait_for_statement(f, "pg_sleep");
  auto second = f.safedb({"run", f.file("m.sql", "INSERT INTO t VALUES (1);\n"), "--target", "db"});
  CHECK(second.exit_code == 3);
  CHECK(second.err.find("another safedb run holds this database: safedb/r") != std::string::npos);
  CHECK(second.err.find("tester@example.org") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM t") == "0");
  CHECK(first.wait().exit_code == 0);
}

TEST_CASE("SIGINT during a long statement rolls back, exits 130 and records the outcome",
          "[pg][exec]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
  const std::string before = f.fingerprint();
  auto run = start_long_run(f);
  auto& process = *run;
  process.signal(SIGINT);
  auto r = process.wait();
  CHECK(r.exit_code == 130);
  CHECK(r.out.find("interrupted and rolled back") != std::string::npos);
  CHECK(f.fingerprint() == before);
  auto outcome = json::parse(f.records("outcome").at(0));
  CHECK(outcome["payload"]["result"] == "interrupted");
  CHECK(f.verify().exit_code == 0);
}

TEST_CASE("kill -9 during a long statement leaves the database unchanged and the run incomplete",
          "[pg][exec]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
  const std::string before = f.fingerprint();
  auto run = start_long_run(f);
  auto& process = *run;
  process.signal(SIGKILL);
  CHECK(process.wait().exit_code == 128 + SIGKILL);
  wait_for_no_session(f);  // the server notices the dead client and rolls back
  CHECK(f.fingerprint() == before);
  CHECK(f.records("intent").size() == 1);
  CHECK(f.records("outcome").empty());
  auto v = f.verify();
  CHECK(v.exit_code == 1);
  CHECK((v.out + v.err).find("incomplete") != std::string::npos);
}

TEST_CASE("connection problems get one clear line, exit 2, and nothing is recorded as executed",
          "[pg][exec]") {
  RunFixture f;
  const std::string file = f.file("m.sql", "SELECT 1;\n");
  const std::string port = std::to_string(safedb::test::closed_tcp_port());
  struct Case {
    std::string dsn;
    std::string expected;
  };
  for (const Case& c : {
           Case{"host=127.0.0.1 port=" + port + " dbname=x connect_timeout=2", "127.0.0.1"},
           Case{"host='unterminated", "connection string"},
           Case{safedb::test::tcp_conninfo(safedb::test::kPasswordRole, "wrong", "postgres"),
                "password"},
           Case{safedb::test::conninfo("no_such_database"), "no_such_database"},
       }) {
    INFO(c.dsn);
    auto r = f.safedb({"run", file, "--dsn", c.dsn, "--env", "development"});
    CHECK(r.exit_code == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find(c.expected) != std::string::npos);
  }
  CHECK(f.records("intent").empty());
}

TEST_CASE("a run refuses a standby", "[pg][exec]") {
  RunFixture f;
  const std::string standby = safedb::test::start_standby();
  auto r = f.safedb({"run", f.file("m.sql", "CREATE TABLE t (id int);\n"), "--dsn", standby,
                     "--env", "development"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("is a standby (in recovery)") != std::string::npos);
  CHECK(f.records("intent").empty());
}

TEST_CASE("on a terminal, a production run asks for the database name", "[pg][exec]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int)");
  f.file("m.sql", "INSERT INTO t VALUES (1);\n");
  // script(1) gives safedb a terminal; what is typed comes from stdin.
  auto typed = [&](const std::string& answer, const std::string& extra) {
    const std::string command = std::string(SAFEDB_BINARY) + " run m.sql --target prod" + extra;
    return safedb::util::run_process(
        {"script", "-qec", "cd '" + f.dir() + "' && " + command, "/dev/null"}, answer + "\n");
  };
  auto wrong = typed("not_the_name", "");
  REQUIRE(wrong.ok());
  CHECK(wrong->exit_code == 2);
  CHECK(wrong->out.find("Type the database name") != std::string::npos);
  CHECK(wrong->out.find("not confirmed; nothing was done") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM t") == "0");

  auto right = typed(f.database(), "");
  REQUIRE(right.ok());
  CHECK(right->exit_code == 0);
  CHECK(f.sql("SELECT count(*) FROM t") == "1");

  auto yes = typed("", " --yes");
  REQUIRE(yes.ok());
  CHECK(yes->exit_code == 0);
  CHECK(yes->out.find("Type the database name") == std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM t") == "2");
}

TEST_CASE("nothing is executed when the audit log cannot be written", "[pg][exec]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int)");
  f.file("not-a-folder", "a file where the log's folder should be\n");
  auto r = f.safedb({"run", f.file("m.sql", "INSERT INTO t VALUES (1);\n"), "--target", "db",
                     "--log", f.dir() + "/not-a-folder/audit.jsonl"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("audit log") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM t") == "0");
}

TEST_CASE("the run report names each statement's effects", "[pg][exec]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int)");
  auto r = f.safedb({"run", f.file("m.sql", "DELETE FROM t WHERE id = 1;\n"), "--target", "db",
                     "--format", "json"});
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(r.out)["statements"][0]["effects"] == json::array({"data-loss"}));
  auto text = f.safedb({"run", "m.sql", "--target", "db"});
  CHECK(text.out.find("effects: data-loss") != std::string::npos);
}
