// Views and materialized views that a DROP ... CASCADE or a DROP COLUMN ...
// CASCADE takes with it are in the snapshot, and a restore in place creates
// them again: definition, options, defaults, triggers, grants, comments,
// owner, a materialized view's indexes and rows.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/run_fixture.h"

using nlohmann::json;
using safedb::test::run_with_snapshot;
using safedb::test::RunFixture;
using safedb::test::snapshot_policy;
using safedb::test::SnapshotRun;

namespace {

// The restore's outcome checks, after a restore that exited 0.
json restore(const RunFixture& f, const std::string& run_id, const std::string& mode,
             std::string* out = nullptr) {
  std::vector<std::string> args = {"restore", run_id, "--target", "db"};
  if (!mode.empty()) args.push_back(mode);
  auto r = f.safedb(args);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  if (out != nullptr) *out = r.out + r.err;
  return json::parse(f.records("outcome").back())["payload"]["checks"];
}

// Everything about relation `name` a restore must bring back, as one line each.
std::string described(const RunFixture& f, const std::string& name) {
  return f.sql(
      "SELECT concat_ws(E'\\n', c.relkind, pg_get_viewdef(c.oid), c.reloptions::text, "
      "pg_get_userbyid(c.relowner), c.relacl::text, obj_description(c.oid, 'pg_class'), "
      "(SELECT string_agg(a.attname || '=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || "
      "'/' || coalesce(col_description(c.oid, a.attnum), ''), ',' ORDER BY a.attnum) FROM "
      "pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "WHERE a.attrelid = c.oid AND a.attnum > 0), "
      "(SELECT string_agg(pg_get_indexdef(i.indexrelid), ';') FROM pg_index i WHERE i.indrelid = "
      "c.oid), (SELECT string_agg(pg_get_triggerdef(g.oid), ';') FROM pg_trigger g WHERE "
      "g.tgrelid = c.oid), c.relispopulated) FROM pg_class c WHERE c.oid = '" +
      name + "'::regclass");
}

}  // namespace

TEST_CASE(
    "DROP TABLE CASCADE saves the views and materialized views it drops, and restore in "
    "place creates them again",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  const std::string owner = "owner_" + f.database();
  const std::string reader = "reader_" + f.database();
  f.sql("CREATE ROLE " + owner + "; CREATE ROLE " + reader + "; CREATE SCHEMA rep");
  f.sql(
      "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric);"
      "INSERT INTO items SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 500) g;"
      // A view, another one on it (in another schema), and a materialized
      // view on the second, created in an order their oids do not follow.
      "CREATE VIEW rep.top AS SELECT 1 AS id;"
      "CREATE VIEW cheap WITH (security_barrier) AS SELECT id, name, price FROM items WHERE "
      "price < 100 WITH LOCAL CHECK OPTION;"
      "CREATE OR REPLACE VIEW rep.top AS SELECT id, name FROM cheap WHERE id < 10;"
      "CREATE MATERIALIZED VIEW a_totals AS SELECT count(*) AS n, sum(price) AS s FROM cheap;"
      "CREATE UNIQUE INDEX totals_n ON a_totals (n);"
      "ALTER VIEW cheap ALTER COLUMN name SET DEFAULT 'new';"
      "COMMENT ON VIEW cheap IS 'the cheap ones'; COMMENT ON COLUMN cheap.price IS 'in euro';"
      "GRANT SELECT ON cheap TO " +
      reader + "; GRANT SELECT (id) ON rep.top TO " + reader + ";" + "GRANT SELECT ON items TO " +
      owner + "; ALTER VIEW cheap OWNER TO " + owner +
      "; ALTER MATERIALIZED VIEW a_totals OWNER TO " + owner + ";" +
      "CREATE FUNCTION no_op() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;"
      "CREATE TRIGGER instead INSTEAD OF DELETE ON rep.top FOR EACH ROW EXECUTE FUNCTION "
      "no_op();"
      // A view that does not use the table stays, and is not saved.
      "CREATE VIEW unrelated AS SELECT 42 AS answer");
  const std::string cheap = described(f, "cheap");
  const std::string top = described(f, "rep.top");
  const std::string totals = described(f, "a_totals");
  const std::string totals_rows = f.sql("SELECT n || ' ' || s FROM a_totals");

  const SnapshotRun ran = run_with_snapshot(f, "DROP TABLE items CASCADE;\n");
  CHECK(ran.out.find("snapshot before #0: view public.cheap: its definition") != std::string::npos);
  CHECK(ran.out.find("materialized view public.a_totals") != std::string::npos);
  REQUIRE(ran.snapshot["views"].size() == 3);
  // In an order they can be created in, not by name nor by oid.
  CHECK(ran.snapshot["views"][0]["view"] == "public.cheap");
  CHECK(ran.snapshot["views"][1]["view"] == "public.a_totals");
  CHECK(ran.snapshot["views"][2]["view"] == "rep.top");
  CHECK(f.sql("SELECT count(*) FROM pg_class WHERE relname IN ('cheap', 'top', 'a_totals')") ==
        "0");
  CHECK(f.sql("SELECT to_regclass('unrelated') IS NOT NULL") == "t");

  SECTION("in place") {
    std::string out;
    const json checks = restore(f, ran.id, "--in-place", &out);
    CHECK(out.find("restore: materialized view public.a_totals (statement #0): identical "
                   "definition and rows to the snapshot (1 rows)") != std::string::npos);
    CHECK(out.find("restore: view public.cheap (statement #0): identical definition to the "
                   "snapshot\n") != std::string::npos);
    REQUIRE(checks["views"].size() == 3);
    for (const json& v : checks["views"])
      CHECK(v["result"] == "identical");
    CHECK(described(f, "cheap") == cheap);
    CHECK(described(f, "rep.top") == top);
    CHECK(described(f, "a_totals") == totals);
    CHECK(f.sql("SELECT n || ' ' || s FROM a_totals") == totals_rows);
    CHECK(f.sql("SELECT count(*) FROM rep.top") == "9");
  }
  SECTION("into a schema: the views are named, not created") {
    std::string out;
    const json checks = restore(f, ran.id, "", &out);
    CHECK(out.find("view public.cheap (dropped by statement #0) is created again only by a "
                   "restore with --in-place") != std::string::npos);
    REQUIRE(checks["views"].size() == 3);
    CHECK(checks["views"][0]["result"] == "not restored");
    CHECK(f.sql("SELECT count(*) FROM pg_class WHERE relname IN ('cheap', 'top', 'a_totals')") ==
          "0");
  }
  SECTION("a relation of a saved view's name blocks the restore in place") {
    f.sql("CREATE TABLE rep.top (x int)");
    auto r = f.safedb({"restore", ran.id, "--target", "db", "--in-place"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("rep.top: a relation of that name exists again") != std::string::npos);
    CHECK(f.sql("SELECT to_regclass('items') IS NULL") == "t");  // nothing was restored
  }
}

TEST_CASE("DROP COLUMN CASCADE and DROP SCHEMA CASCADE save the views they drop",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE people (id int PRIMARY KEY, name text, email text);"
      "INSERT INTO people SELECT g, 'p' || g, 'p' || g || '@example.org' FROM "
      "generate_series(1, 50) g;"
      "CREATE VIEW contacts AS SELECT id, email FROM people;"
      "CREATE VIEW names AS SELECT id, name FROM people;"
      "CREATE SCHEMA app; CREATE TABLE app.t (x int); INSERT INTO app.t VALUES (1), (2);"
      "CREATE VIEW app.v AS SELECT x FROM app.t; CREATE VIEW app.alone AS SELECT 1 AS one;"
      "CREATE VIEW outside AS SELECT x FROM app.v");
  const std::string contacts = described(f, "contacts");
  const std::string v = described(f, "app.v");
  const std::string outside = described(f, "outside");

  SECTION("DROP COLUMN") {
    const SnapshotRun ran = run_with_snapshot(f, "ALTER TABLE people DROP COLUMN email CASCADE;\n");
    REQUIRE(ran.snapshot["views"].size() == 1);  // not `names`, which does not use the column
    CHECK(ran.snapshot["views"][0]["view"] == "public.contacts");
    CHECK(f.sql("SELECT to_regclass('contacts') IS NULL") == "t");
    const json checks = restore(f, ran.id, "--in-place");
    CHECK(checks["views"][0]["result"] == "identical");
    CHECK(described(f, "contacts") == contacts);
    CHECK(f.sql("SELECT count(*) FROM contacts WHERE email LIKE '%@example.org'") == "50");
  }
  SECTION("DROP SCHEMA") {
    const SnapshotRun ran = run_with_snapshot(f, "DROP SCHEMA app CASCADE;\n");
    std::vector<std::string> names;
    for (const json& x : ran.snapshot["views"])
      names.push_back(x["view"].get<std::string>());
    // The schema's own views, including one that reads no table, and a view elsewhere on them.
    CHECK(names == std::vector<std::string>{"app.alone", "app.v", "public.outside"});
    restore(f, ran.id, "--in-place");
    CHECK(described(f, "app.v") == v);
    CHECK(described(f, "outside") == outside);
    CHECK(f.sql("SELECT string_agg(x::text, ',' ORDER BY x) FROM outside") == "1,2");
  }
}

TEST_CASE("a dropped schema that held only views comes back with its owner and grants",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  const std::string owner = "owner_" + f.database();
  f.sql("CREATE ROLE " + owner + "; CREATE SCHEMA rpt AUTHORIZATION " + owner +
        "; GRANT USAGE ON SCHEMA rpt TO PUBLIC;"
        "CREATE TABLE sales (id int, amount numeric); INSERT INTO sales VALUES (1, 2.5), (2, 4);"
        "CREATE VIEW rpt.total AS SELECT sum(amount) AS amount FROM sales");
  const std::string total = described(f, "rpt.total");
  const std::string schema = f.sql(
      "SELECT pg_get_userbyid(nspowner) || ' ' || nspacl::text FROM pg_namespace WHERE nspname "
      "= 'rpt'");

  const SnapshotRun ran = run_with_snapshot(f, "DROP SCHEMA rpt CASCADE;\n");
  CHECK(ran.snapshot["tables"].empty());
  REQUIRE(ran.snapshot["views"].size() == 1);
  const json checks = restore(f, ran.id, "--in-place");
  CHECK(checks["views"][0]["result"] == "identical");
  CHECK(f.sql("SELECT pg_get_userbyid(nspowner) || ' ' || nspacl::text FROM pg_namespace WHERE "
              "nspname = 'rpt'") == schema);
  CHECK(described(f, "rpt.total") == total);
  CHECK(f.sql("SELECT amount FROM rpt.total") == "6.5");
}

TEST_CASE("DROP VIEW CASCADE and DROP MATERIALIZED VIEW are snapshotted", "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE orders (id int PRIMARY KEY, total numeric);"
      "INSERT INTO orders SELECT g, g * 10 FROM generate_series(1, 20) g;"
      "CREATE VIEW big AS SELECT id, total FROM orders WHERE total > 100;"
      "CREATE VIEW biggest AS SELECT max(total) AS total FROM big;"
      "CREATE MATERIALIZED VIEW counted AS SELECT count(*) AS n FROM orders;"
      // A column of the view's row type goes with the view.
      "CREATE TABLE picks (id int PRIMARY KEY, pick big, note text);"
      "INSERT INTO picks SELECT g, ROW(g, g * 10)::big, 'n' || g FROM generate_series(1, 5) g");
  const std::string big = described(f, "big");
  const std::string biggest = described(f, "biggest");
  // By name: a column put back comes at the end of its table.
  const std::string rows =
      "SELECT string_agg(format('%s|%s|%s', id, pick, note), ';' ORDER BY id) "
      "FROM picks";
  const std::string picks = f.sql(rows);

  const SnapshotRun ran = run_with_snapshot(f, "DROP VIEW big CASCADE;\n");
  REQUIRE(ran.snapshot["views"].size() == 2);
  CHECK(ran.snapshot["views"][0]["view"] == "public.big");
  CHECK(ran.snapshot["views"][1]["view"] == "public.biggest");
  REQUIRE(ran.snapshot["tables"].size() == 1);
  CHECK(ran.snapshot["tables"][0]["table"] == "public.picks");
  CHECK(f.sql("SELECT to_regclass('big') IS NULL AND to_regclass('biggest') IS NULL") == "t");

  const json checks = restore(f, ran.id, "--in-place");
  CHECK(checks["identical"] == true);
  CHECK(described(f, "big") == big);
  CHECK(described(f, "biggest") == biggest);
  CHECK(f.sql(rows) == picks);

  // A materialized view by name: its definition, and the hash of its rows.
  const SnapshotRun mv = run_with_snapshot(f, "DROP MATERIALIZED VIEW counted;\n");
  REQUIRE(mv.snapshot["views"].size() == 1);
  CHECK(mv.snapshot["views"][0]["kind"] == "materialized view");
  CHECK(restore(f, mv.id, "--in-place")["identical"] == true);
  CHECK(f.sql("SELECT n FROM counted") == "20");
}

TEST_CASE(
    "a materialized view that was stale is refreshed by the restore, which says its rows "
    "differ",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE events (id int PRIMARY KEY, kind text);"
      "INSERT INTO events SELECT g, 'k' || g % 2 FROM generate_series(1, 3) g;"
      "CREATE MATERIALIZED VIEW per_kind AS SELECT kind, count(*) AS n FROM events GROUP BY kind;"
      "CREATE MATERIALIZED VIEW fresh AS SELECT count(*) AS n FROM events WITH NO DATA;"
      // Rows added since the last refresh: per_kind is stale.
      "INSERT INTO events SELECT g, 'k' || g % 2 FROM generate_series(4, 5) g");
  const SnapshotRun ran = run_with_snapshot(f, "DROP TABLE events CASCADE;\n");
  REQUIRE(ran.snapshot["views"].size() == 2);

  auto r = f.safedb({"restore", ran.id, "--target", "db", "--in-place"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("restore: materialized view public.per_kind (statement #0): differs (its rows "
                   "differ from those it held before the statement (2 rows then, 2 now)") !=
        std::string::npos);
  // One never refreshed comes back unrefreshed, and compares by definition.
  CHECK(r.out.find("restore: materialized view public.fresh (statement #0): identical definition "
                   "to the snapshot\n") != std::string::npos);
  CHECK(f.sql("SELECT relispopulated FROM pg_class WHERE oid = 'fresh'::regclass") == "f");
  CHECK(f.sql("SELECT string_agg(kind || '=' || n, ',' ORDER BY kind) FROM per_kind") ==
        "k0=2,k1=3");
  const json checks = json::parse(f.records("outcome").back())["payload"]["checks"];
  CHECK(checks["identical"] == false);
  CHECK(checks["tables"][0]["result"] == "identical");
}
