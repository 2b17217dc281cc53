// backup verify restores in pg_restore's sections and reads tables back
// while the rest restores: a failure in any section, and an interrupt in
// any of them, must still end the verification cleanly.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <string>
#include <thread>

#include "support/backup_fixture.h"
#include "support/pg_cluster.h"

using nlohmann::json;
using safedb::test::BackupFixture;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Sessions on a scratch database running a statement that starts with `prefix`.
int scratch_sessions_running(const std::string& prefix) {
  auto conn = safedb::db::Connection::open(safedb::test::conninfo());
  REQUIRE(conn.ok());
  auto r = conn->exec(
      "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE 'safedb\\_verify\\_%'"
      " AND state = 'active' AND ltrim(query) LIKE '" +
      prefix + "%'");
  REQUIRE(r.ok());
  return std::stoi(r->at(0, 0).value_or("0"));
}

// Verification failed with exit 1 on a "restore" problem that says `what`.
void check_restore_failed(const BackupFixture& f, const safedb::test::CliResult& r,
                          const std::string& what) {
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "FAILED verification"));
  json record = f.last_record("backup-verify-failed");
  CHECK(record["payload"]["problems"].size() == 1);
  CHECK(record["payload"]["problems"][0]["where"] == "restore");
  CHECK(contains(record["payload"]["problems"][0]["what"].get<std::string>(), what));
  CHECK(f.records("backup-verified").empty());
  CHECK(f.scratch_databases() == 0);
  CHECK(f.verify().exit_code == 0);
}

}  // namespace

// A function that finds its table through the search_path works in the
// database but not during pg_restore, which runs with an empty search_path:
// what fails is real PostgreSQL failing, in the section that uses it.
TEST_CASE("a dump whose indexes cannot be built fails verification in post-data", "[pg][backup]") {
  BackupFixture f;
  f.sql(
      "CREATE FUNCTION public.account_rank(int) RETURNS bigint LANGUAGE sql IMMUTABLE"
      "  AS 'SELECT $1 + count(*) FROM events';"
      "CREATE INDEX accounts_rank ON accounts (public.account_rank(id))");
  const std::string id = f.create();
  check_restore_failed(f, f.verify_backup(id), "pg_restore (section post-data) failed");
}

TEST_CASE("a dump whose rows cannot be loaded fails verification in the data section",
          "[pg][backup]") {
  BackupFixture f;
  f.sql(
      "CREATE FUNCTION public.known_owner(text) RETURNS boolean LANGUAGE sql IMMUTABLE"
      "  AS 'SELECT $1 IS NOT NULL OR (SELECT count(*) FROM events) >= 0';"
      "ALTER TABLE accounts ADD CONSTRAINT owner_known CHECK (public.known_owner(owner))");
  const std::string id = f.create();
  check_restore_failed(f, f.verify_backup(id), "pg_restore (section data) failed");
}

TEST_CASE(
    "a verify interrupted while indexes are built stops everything and drops the scratch "
    "database",
    "[pg][backup]") {
  BackupFixture f;
  f.sql(
      "CREATE TABLE big (id bigint, a text, b text);"
      "INSERT INTO big SELECT g, md5(g::text), md5((g * 7)::text)"
      "  FROM generate_series(1, 600000) g;"
      "CREATE INDEX ON big (a); CREATE INDEX ON big (b); CREATE INDEX ON big (a, b)");
  const std::string id = f.create();
  safedb::test::BackgroundSafedb verify({"backup", "verify", id, "--target", "db"}, f.dir());
  bool building = false;
  for (int i = 0; i < 3000 && !building; ++i) {
    building = scratch_sessions_running("CREATE INDEX") > 0;
    if (!building) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(building);
  verify.signal(SIGINT);
  f.check_verify_interrupted(verify.wait());
}

TEST_CASE("tables read back while the rest restores match, and a table left empty does not",
          "[pg][backup]") {
  // The big table's rows are in long before the other tables' indexes are
  // built, so it is read while pg_restore still runs.
  BackupFixture f;
  f.sql(
      "CREATE TABLE big (id bigint PRIMARY KEY, a text);"
      "INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 300000) g;"
      "INSERT INTO events SELECT e.* FROM events e, generate_series(1, 100);"
      "CREATE INDEX ON events (note, at)");
  const std::string id = f.create();
  auto ok = f.verify_backup(id);
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(contains(ok.out, "4 tables, 611010 rows match the manifest"));
  CHECK(contains(ok.out, "4 btree indexes checked, no corruption"));
  CHECK(f.scratch_databases() == 0);

  // The real pg_dump, told to leave one table's rows out: the manifest
  // (computed from the database) still expects them.
  f.fake_pg_bin("bin", "exec " + BackupFixture::real_pg_dump() +
                           " \"$@\" --exclude-table-data=billing.invoices");
  f.configure(R"("pg_bin": "bin")");
  const std::string partial = f.create();
  auto bad = f.verify_backup(partial);
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  json problems = f.last_record("backup-verify-failed")["payload"]["problems"];
  REQUIRE(problems.size() == 1);
  CHECK(problems[0]["where"] == "table billing.invoices");
  CHECK(problems[0]["what"] == "rows: 2000 expected, 0 found");
  CHECK(f.scratch_databases() == 0);
}
