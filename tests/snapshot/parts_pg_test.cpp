// The indexes, constraints, defaults, triggers, policies, rules and
// statistics of tables a statement keeps, which it drops with what it
// names, are in the snapshot, and a restore in place adds them again.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/run_fixture.h"

using nlohmann::json;
using safedb::test::restore_in_place;
using safedb::test::run_with_snapshot;
using safedb::test::RunFixture;
using safedb::test::snapshot_policy;
using safedb::test::SnapshotRun;

namespace {

// Everything about table `name` besides its columns' order, one item a line:
// columns with defaults, constraints, indexes, triggers with their state,
// policies, rules, statistics, and the comments on them.
std::string described(const RunFixture& f, const std::string& name) {
  // Each item list sorted by its text: a restore adds parts in another order.
  auto items = [](const std::string& value, const std::string& from) {
    return "(SELECT string_agg(v, ';' ORDER BY v) FROM (SELECT " + value + " AS v FROM " + from +
           ") q)";
  };
  return f.sql(
      "SELECT concat_ws(E'\\n', " +
      items("a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || "
            "coalesce(pg_get_expr(d.adbin, d.adrelid), '')",
            "pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = "
            "a.attnum WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped") +
      ", " +
      items("conname || ' ' || pg_get_constraintdef(k.oid) || ' ' || "
            "coalesce(obj_description(k.oid, 'pg_constraint'), '')",
            "pg_constraint k WHERE k.conrelid = c.oid") +
      ", " +
      items("pg_get_indexdef(i.indexrelid) || ' ' || i.indisclustered::text || ' ' || "
            "coalesce(obj_description(i.indexrelid, 'pg_class'), '')",
            "pg_index i WHERE i.indrelid = c.oid") +
      ", " +
      items("pg_get_triggerdef(g.oid) || ' ' || g.tgenabled::text || ' ' || "
            "coalesce(obj_description(g.oid, 'pg_trigger'), '')",
            "pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal") +
      ", " +
      items("polname || ' ' || pg_get_expr(polqual, polrelid)",
            "pg_policy WHERE polrelid = c.oid") +
      ", " + items("pg_get_ruledef(r.oid)", "pg_rewrite r WHERE r.ev_class = c.oid") + ", " +
      items("stxname || ' ' || (SELECT string_agg(attname, ',' ORDER BY attname) FROM "
            "pg_attribute WHERE attrelid = stxrelid AND attnum = ANY (stxkeys))",
            "pg_statistic_ext WHERE stxrelid = c.oid") +
      ") FROM pg_class c WHERE c.oid = '" + name + "'::regclass");
}

}  // namespace

TEST_CASE(
    "DROP COLUMN saves the indexes, constraints and statistics on the column, and "
    "restore in place adds them again",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE accounts (id int PRIMARY KEY, code int, region int, note text);"
      "INSERT INTO accounts SELECT g, g * 10, g % 7, 'n' FROM generate_series(1, 300) g;"
      "ALTER TABLE accounts ADD CONSTRAINT accounts_code_key UNIQUE (code);"
      "ALTER TABLE accounts ADD CONSTRAINT code_positive CHECK (code > 0 AND region >= 0);"
      "COMMENT ON CONSTRAINT code_positive ON accounts IS 'never zero';"
      "CREATE INDEX accounts_code_region ON accounts (region, code) WHERE code > 100;"
      "COMMENT ON INDEX accounts_code_region IS 'for the report';"
      "CREATE INDEX accounts_region_code ON accounts (region, code);"
      "ALTER TABLE accounts CLUSTER ON accounts_region_code;"
      "CREATE INDEX accounts_note ON accounts (note);"
      "CREATE STATISTICS accounts_st (dependencies) ON code, region FROM accounts;"
      // Another table's foreign key on the column goes with CASCADE.
      "CREATE TABLE payments (id int PRIMARY KEY, account_code int REFERENCES accounts (code));"
      "INSERT INTO payments SELECT g, g * 10 FROM generate_series(1, 50) g");
  const std::string accounts = described(f, "accounts");
  const std::string payments = described(f, "payments");

  const SnapshotRun run = run_with_snapshot(f, "ALTER TABLE accounts DROP COLUMN code CASCADE;");
  CHECK(run.out.find("snapshot before #0: public.accounts: its constraint accounts_code_key, "
                     "index accounts_code_region, index accounts_region_code, constraint "
                     "code_positive, statistics public.accounts_st (the statement drops them "
                     "too)") != std::string::npos);
  CHECK(run.out.find("snapshot before #0: public.payments: its constraint "
                     "payments_account_code_fkey (the statement drops it too)") !=
        std::string::npos);
  REQUIRE(run.snapshot["parts"].size() == 6);
  CHECK(run.snapshot["parts"][0] == json{{"statement", 0},
                                         {"relation", "public.accounts"},
                                         {"kind", "constraint"},
                                         {"name", "accounts_code_key"}});
  // The index on another column stays and is not saved.
  CHECK(run.out.find("accounts_note") == std::string::npos);
  CHECK(described(f, "accounts") != accounts);

  std::string out;
  const json parts = restore_in_place(f, run.id, out)["parts"];
  CHECK(described(f, "accounts") == accounts);
  CHECK(described(f, "payments") == payments);
  REQUIRE(parts.size() == 6);
  for (const json& p : parts)
    CHECK(p["result"] == "identical");
  CHECK(out.find("restore: index accounts_code_region on public.accounts (statement #0): "
                 "identical definition to the snapshot") != std::string::npos);
  // The foreign key holds again.
  auto refused = f.safedb(
      {"run", f.file("bad.sql", "INSERT INTO payments VALUES (999, 7);"), "--target", "db"});
  CHECK(refused.exit_code != 0);
}

TEST_CASE(
    "DROP SCHEMA CASCADE saves what other schemas' tables lose with its functions, and "
    "restore in place adds it back with the functions",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SCHEMA util;"
      "CREATE FUNCTION util.twice(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';"
      "CREATE FUNCTION util.stamp() RETURNS trigger LANGUAGE plpgsql AS "
      "$$BEGIN NEW.touched := true; RETURN NEW; END$$;"
      "CREATE TABLE orders (id int PRIMARY KEY, qty int DEFAULT util.twice(21), touched bool,"
      " CONSTRAINT qty_small CHECK (util.twice(qty) < 10000));"
      "INSERT INTO orders SELECT g, g FROM generate_series(1, 100) g;"
      "CREATE INDEX orders_twice ON orders (util.twice(qty));"
      "CREATE TRIGGER orders_stamp BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION "
      "util.stamp();"
      "ALTER TABLE orders DISABLE TRIGGER orders_stamp;"
      "COMMENT ON TRIGGER orders_stamp ON orders IS 'audit';"
      "CREATE POLICY big ON orders USING (util.twice(qty) > 10);"
      "CREATE RULE no_delete AS ON DELETE TO orders WHERE util.twice(OLD.qty) > 1000000 DO "
      "INSTEAD NOTHING;"
      // The schema's own table is saved whole, with its default.
      "CREATE TABLE util.settings (k text PRIMARY KEY, v int DEFAULT util.twice(1));"
      "INSERT INTO util.settings VALUES ('a', 1)");
  const std::string orders = described(f, "orders");

  const SnapshotRun run = run_with_snapshot(f, "DROP SCHEMA util CASCADE;");
  CHECK(run.out.find("snapshot before #0: public.orders: its index orders_twice, constraint "
                     "qty_small, default of qty, trigger orders_stamp, policy big, rule "
                     "no_delete (the statement drops them too)") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'orders'::regclass") == "0");

  // A restore into a schema only names them.
  auto copy = f.safedb({"restore", run.id, "--target", "db"});
  INFO(copy.out << copy.err);
  REQUIRE(copy.exit_code == 0);
  CHECK(copy.err.find("index orders_twice of public.orders (dropped by statement #0) is added "
                      "again only by a restore with --in-place") != std::string::npos);
  CHECK(json::parse(f.records("outcome").back())["payload"]["checks"]["parts"][0]["result"] ==
        "not restored");

  std::string out;
  const json parts = restore_in_place(f, run.id, out)["parts"];
  CHECK(described(f, "orders") == orders);
  REQUIRE(parts.size() == 6);
  for (const json& p : parts)
    CHECK(p["result"] == "identical");
  CHECK(f.sql("SELECT v FROM util.settings") == "1");
  CHECK(f.sql("INSERT INTO orders (id) VALUES (1000) RETURNING qty") == "42");
}

TEST_CASE("A part that exists again with another definition blocks the restore", "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE INDEX t_a ON t (a, b);"
      "INSERT INTO t VALUES (1, 2, 3)");
  const SnapshotRun run = run_with_snapshot(f, "ALTER TABLE t DROP COLUMN b;");
  REQUIRE(run.snapshot["parts"].size() == 1);
  f.sql("ALTER TABLE t ADD COLUMN b int; CREATE INDEX t_a ON t (a)");
  const std::string before = f.fingerprint();
  auto r = f.safedb({"restore", run.id, "--target", "db", "--in-place"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("public.t: index t_a: it exists again, different from the snapshot's "
                   "(CREATE INDEX t_a ON public.t USING btree (a))") != std::string::npos);
  CHECK(f.fingerprint() == before);
}

TEST_CASE(
    "DROP COLUMN CASCADE of a column a generated column is computed from saves the generated "
    "column as a part, and restore in place adds it back computed",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE readings (id int PRIMARY KEY, raw int, "
      "doubled int GENERATED ALWAYS AS (raw * 2) STORED);"
      "COMMENT ON COLUMN readings.doubled IS 'twice the raw value';"
      "INSERT INTO readings (id, raw) SELECT g, g FROM generate_series(1, 50) g;");
  const SnapshotRun run = run_with_snapshot(f, "ALTER TABLE readings DROP COLUMN raw CASCADE;");
  CHECK(run.out.find("snapshot before #0: public.readings: its generated column doubled (the "
                     "statement drops it too)") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM pg_attribute WHERE attrelid = 'readings'::regclass AND "
              "attnum > 0 AND NOT attisdropped") == "1");

  std::string out;
  const json parts = restore_in_place(f, run.id, out)["parts"];
  REQUIRE(parts.size() == 1);
  CHECK(parts[0]["kind"] == "generated column");
  CHECK(parts[0]["result"] == "identical");
  CHECK(f.sql("SELECT sum(doubled) FROM readings") == "2550");
  CHECK(f.sql("SELECT attgenerated::text || ' ' || col_description(attrelid, attnum) FROM "
              "pg_attribute WHERE attrelid = 'readings'::regclass AND attname = 'doubled'") ==
        "s twice the raw value");
}
