#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "safedb/db/connection.h"
#include "support/pg_cluster.h"

using namespace safedb;
using namespace safedb::db;

namespace {

Connection connect(const std::string& conninfo) {
  Result<Connection> conn = Connection::open(conninfo);
  if (!conn) FAIL(conn.error().message());
  return std::move(conn).value();
}

QueryResult run(Connection& conn, std::string_view sql) {
  Result<QueryResult> result = conn.exec(sql);
  if (!result) FAIL(std::string(sql) << ": " << result.error().message());
  return std::move(result).value();
}

}  // namespace

TEST_CASE("a query returns column names, rows as text, NULLs and the command tag", "[pg][db]") {
  Connection conn = connect(test::conninfo(test::create_database()));
  QueryResult r = run(conn, "SELECT 1 AS one, NULL::text AS nothing, 'x y' AS words");
  CHECK(r.columns == std::vector<std::string>{"one", "nothing", "words"});
  REQUIRE(r.rows.size() == 1);
  CHECK(r.at(0, 0) == std::optional<std::string>("1"));
  CHECK_FALSE(r.at(0, 1).has_value());
  CHECK(r.at(0, 2) == std::optional<std::string>("x y"));
  CHECK(r.column_index("words") == std::optional<std::size_t>(2));
  CHECK(r.command_tag == "SELECT 1");
  CHECK(r.affected_rows == std::optional<std::int64_t>(1));
  CHECK(r.at(0, 1) != std::optional<std::string>(""));  // NULL is not the empty string
}

TEST_CASE("writes report how many rows they affected", "[pg][db]") {
  Connection conn = connect(test::conninfo(test::create_database()));
  QueryResult created = run(conn, "CREATE TABLE t (id int PRIMARY KEY, v text)");
  CHECK(created.command_tag == "CREATE TABLE");
  CHECK_FALSE(created.affected_rows.has_value());
  CHECK(run(conn, "INSERT INTO t SELECT g, 'v' FROM generate_series(1, 5) g").affected_rows == 5);
  CHECK(run(conn, "UPDATE t SET v = 'w' WHERE id <= 3").affected_rows == 3);
  QueryResult deleted = run(conn, "DELETE FROM t WHERE id = 1");
  CHECK(deleted.command_tag == "DELETE 1");
  CHECK(deleted.affected_rows == 1);
}

TEST_CASE("several statements in one exec return the last one's result", "[pg][db]") {
  Connection conn = connect(test::conninfo(test::create_database()));
  QueryResult r =
      run(conn, "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2); SELECT count(*) FROM t");
  REQUIRE(r.rows.size() == 1);
  CHECK(r.at(0, 0) == std::optional<std::string>("2"));
}

TEST_CASE("a failing statement reports SQLSTATE, message, detail, hint and position", "[pg][db]") {
  Connection conn = connect(test::conninfo(test::create_database()));
  run(conn, "CREATE TABLE t (id int PRIMARY KEY)");
  run(conn, "INSERT INTO t VALUES (1)");

  SECTION("unique violation: SQLSTATE and DETAIL") {
    Result<QueryResult> r = conn.exec("INSERT INTO t VALUES (1)");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == ExitCode::execution_failed);
    REQUIRE(conn.last_error().has_value());
    const DbError& e = *conn.last_error();
    CHECK(e.sqlstate == "23505");
    CHECK(e.severity == "ERROR");
    CHECK(e.message == "duplicate key value violates unique constraint \"t_pkey\"");
    CHECK(e.detail == "Key (id)=(1) already exists.");
    CHECK(r.error().message() ==
          "duplicate key value violates unique constraint \"t_pkey\" (SQLSTATE 23505); "
          "DETAIL: Key (id)=(1) already exists.");
  }
  SECTION("unknown function: HINT and the position of the offending token") {
    Result<QueryResult> r = conn.exec("SELECT 1,\n  no_such_function(1)");
    REQUIRE_FALSE(r.ok());
    const DbError& e = *conn.last_error();
    CHECK(e.sqlstate == "42883");
    CHECK_FALSE(e.hint.empty());
    CHECK(e.position == 13);
    CHECK(r.error().message().find('\n') == std::string::npos);
  }
  SECTION("positions count characters, not bytes") {
    REQUIRE_FALSE(conn.exec("SELECT 'éé', * FROM missing_table").ok());
    CHECK(conn.last_error()->sqlstate == "42P01");
    CHECK(conn.last_error()->position == 21);
  }
  SECTION("a later success clears the error and the session stays usable") {
    REQUIRE_FALSE(conn.exec("SELECT * FROM missing_table").ok());
    CHECK(run(conn, "SELECT 2").at(0, 0) == std::optional<std::string>("2"));
    CHECK_FALSE(conn.last_error().has_value());
  }
  SECTION("COPY to or from the client is refused without breaking the session") {
    REQUIRE_FALSE(conn.exec("COPY t FROM STDIN").ok());
    REQUIRE_FALSE(conn.exec("COPY t TO STDOUT").ok());
    CHECK(conn.last_error()->message == "COPY TO STDOUT is not supported here");
    CHECK(run(conn, "SELECT count(*) FROM t").at(0, 0) == std::optional<std::string>("1"));
  }
}

TEST_CASE("notices and warnings are collected for the caller", "[pg][db]") {
  Connection conn = connect(test::conninfo(test::create_database()));
  run(conn, "DROP TABLE IF EXISTS not_there");
  run(conn, "DO $$BEGIN RAISE WARNING 'careful' USING DETAIL = 'd', HINT = 'h'; END$$");
  std::vector<Notice> notices = conn.take_notices();
  REQUIRE(notices.size() == 2);
  CHECK(notices[0].severity == "NOTICE");
  CHECK(notices[0].sqlstate == "00000");
  CHECK(notices[0].message == "table \"not_there\" does not exist, skipping");
  CHECK(notices[1].severity == "WARNING");
  CHECK(notices[1].message == "careful");
  CHECK(notices[1].detail == "d");
  CHECK(notices[1].hint == "h");
  CHECK(conn.take_notices().empty());
}

TEST_CASE("cancel() from another thread stops a running statement", "[pg][db]") {
  Connection conn = connect(test::conninfo());
  auto sleeping =
      std::async(std::launch::async, [&conn] { return conn.exec("SELECT pg_sleep(60)").ok(); });
  const auto start = std::chrono::steady_clock::now();
  // The request may arrive before the statement starts; repeat until it ends.
  while (sleeping.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    REQUIRE(conn.cancel());
    REQUIRE(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  }
  CHECK_FALSE(sleeping.get());
  REQUIRE(conn.last_error().has_value());
  CHECK(conn.last_error()->sqlstate == "57014");
  CHECK(run(conn, "SELECT 1").rows.size() == 1);
}

TEST_CASE("backend_pid() is the server process serving the session", "[pg][db]") {
  Connection conn = connect(test::conninfo());
  CHECK(run(conn, "SELECT pg_backend_pid()").at(0, 0) == std::to_string(conn.backend_pid()));
}

TEST_CASE("a terminated session fails cleanly and says it is closed", "[pg][db]") {
  Connection victim = connect(test::conninfo());
  Connection admin = connect(test::conninfo());
  run(admin, "SELECT pg_terminate_backend(" + std::to_string(victim.backend_pid()) + ")");
  Result<QueryResult> r = victim.exec("SELECT 1");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message().find('\n') == std::string::npos);
  CHECK_FALSE(victim.is_open());
  CHECK_FALSE(victim.exec("SELECT 1").ok());
}
