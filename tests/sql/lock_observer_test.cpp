#include <catch2/catch.hpp>

#include "safedb/db/connection.h"
#include "support/lock_observer.h"
#include "support/pg_cluster.h"

using namespace safedb;
using sql::LockMode;

namespace {

db::Connection connect(const std::string& conninfo) {
  Result<db::Connection> conn = db::Connection::open(conninfo);
  if (!conn) FAIL(conn.error().message());
  return std::move(conn).value();
}

void must(db::Connection& conn, std::string_view sql) {
  Result<db::QueryResult> r = conn.exec(sql);
  if (!r) FAIL(r.error().message());
}

}  // namespace

TEST_CASE("pg_locks mode names map to lock modes in PostgreSQL's order", "[sql]") {
  CHECK(test::lock_name(test::lock_mode_from_pg("AccessShareLock")) == "ACCESS SHARE");
  CHECK(test::lock_name(test::lock_mode_from_pg("ShareRowExclusiveLock")) == "SHARE ROW EXCLUSIVE");
  CHECK(test::lock_name(test::lock_mode_from_pg("AccessExclusiveLock")) == "ACCESS EXCLUSIVE");
  CHECK(test::lock_name(test::lock_mode_from_pg("SIReadLock")) == "(no lock)");
  CHECK(test::lock_table_mode(LockMode::share_update_exclusive) == "SHARE UPDATE EXCLUSIVE");
}

TEST_CASE("locks in a transaction count only relations that existed before", "[pg][sql]") {
  const std::string info = test::conninfo(test::create_database());
  db::Connection conn = connect(info);
  must(conn, "CREATE TABLE t (id int)");
  test::ObservedLock created = test::observe_in_transaction(conn, "CREATE TABLE u (id int)");
  CHECK(test::lock_name(created.mode) == "(no lock)");
  test::ObservedLock dropped = test::observe_in_transaction(conn, "DROP TABLE t");
  CHECK(test::lock_name(dropped.mode) == "ACCESS EXCLUSIVE");
  CHECK(dropped.relation == "t");
  test::ObservedLock failed = test::observe_in_transaction(conn, "VACUUM t");
  CHECK(failed.error_sqlstate == "25001");
}

TEST_CASE("blocking a statement reveals a lock it takes after a weaker one", "[pg][sql]") {
  const std::string info = test::conninfo(test::create_database());
  db::Connection conn = connect(info);
  must(conn, "CREATE TABLE t (id int)");
  test::ObservedLock observed = test::observe_by_blocking(
      info,
      "DO $$BEGIN LOCK TABLE t IN ROW EXCLUSIVE MODE; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; END$$",
      "t");
  CHECK(observed.error.empty());
  CHECK(test::lock_name(observed.mode) == "ACCESS EXCLUSIVE");
  CHECK(observed.relation == "t");

  test::ObservedLock vacuum = test::observe_by_blocking(info, "VACUUM t", "t");
  CHECK(test::lock_name(vacuum.mode) == "SHARE UPDATE EXCLUSIVE");
}
