// The functions, procedures, types, sequences and extensions a DROP takes
// with it are in the snapshot, and a restore in place creates them again;
// what a snapshot cannot save (an operator, a text search configuration)
// blocks the run.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

#include "support/run_fixture.h"

using nlohmann::json;
using safedb::test::restore_in_place;
using safedb::test::run_with_snapshot;
using safedb::test::RunFixture;
using safedb::test::snapshot_policy;
using safedb::test::SnapshotRun;

namespace {

// The functions, types and sequences of schema `schema`, one a line: each
// with its definition, owner, privileges and comment.
std::string described(const RunFixture& f, const std::string& schema) {
  const std::string nsp = "to_regnamespace('" + schema + "')";
  return f.sql(
      "SELECT concat_ws(E'\\n', "
      "(SELECT string_agg(pg_get_functiondef(p.oid) || ' ' || p.proowner::regrole::text || ' ' || "
      "coalesce(p.proacl::text, '') || ' ' || coalesce(obj_description(p.oid, 'pg_proc'), ''), "
      "E'\\n' ORDER BY p.proname) FROM pg_proc p WHERE p.pronamespace = " +
      nsp +
      "), (SELECT string_agg(format_type(t.oid, NULL) || ' ' || t.typtype::text || ' ' || "
      "coalesce(t.typacl::text, '') || ' ' || coalesce(obj_description(t.oid, 'pg_type'), '') || "
      "' ' || coalesce((SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum "
      "WHERE enumtypid = t.oid), '') || ' ' || coalesce((SELECT string_agg(pg_get_constraintdef("
      "k.oid), ',') FROM pg_constraint k WHERE k.contypid = t.oid), ''), E'\\n' ORDER BY 1) FROM "
      "pg_type t WHERE t.typnamespace = " +
      nsp +
      "), (SELECT string_agg(s.seqrelid::regclass::text || ' ' || s.seqincrement || ' ' || "
      "s.seqmax || ' ' || coalesce(c.relacl::text, ''), E'\\n') FROM pg_sequence s JOIN pg_class "
      "c ON c.oid = s.seqrelid WHERE c.relnamespace = " +
      nsp + "))");
}

}  // namespace

TEST_CASE(
    "DROP SCHEMA CASCADE saves the schema's functions, procedures, types and sequences, and "
    "restore in place creates them again",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SCHEMA util; GRANT USAGE ON SCHEMA util TO pg_monitor;"
      "ALTER DEFAULT PRIVILEGES IN SCHEMA util GRANT SELECT, UPDATE ON TABLES TO pg_monitor;"
      "CREATE TYPE util.mood AS ENUM ('calm', 'busy');"
      "COMMENT ON TYPE util.mood IS 'how it feels';"
      "CREATE DOMAIN util.positive AS int CHECK (VALUE > 0);"
      "CREATE TYPE util.span AS RANGE (SUBTYPE = int4);"
      "CREATE TYPE util.pair AS (a int, b util.mood);"
      "CREATE SEQUENCE util.ticket INCREMENT BY 5 START 100;"
      "SELECT nextval('util.ticket'), nextval('util.ticket');"
      "CREATE FUNCTION util.twice(x util.positive) RETURNS int LANGUAGE sql IMMUTABLE "
      "AS 'SELECT x * 2';"
      "COMMENT ON FUNCTION util.twice(util.positive) IS 'doubles';"
      "REVOKE ALL ON FUNCTION util.twice(util.positive) FROM PUBLIC;"
      "GRANT EXECUTE ON FUNCTION util.twice(util.positive) TO pg_monitor;"
      "CREATE FUNCTION util.next_ticket() RETURNS bigint LANGUAGE plpgsql "
      "AS $$BEGIN RETURN nextval('util.ticket'); END$$;"
      "CREATE PROCEDURE util.noop() LANGUAGE plpgsql AS $$BEGIN END$$;"
      // A view elsewhere that calls one of them goes with the schema.
      "CREATE VIEW report AS SELECT util.twice(21) AS answer;");
  const std::string before = described(f, "util");
  const std::string schema = f.sql("SELECT nspacl::text FROM pg_namespace WHERE nspname = 'util'");
  const std::string defaults =
      "SELECT defaclobjtype::text || ' ' || defaclacl::text FROM pg_default_acl";
  const std::string acl = f.sql(defaults);
  CHECK(acl.rfind("r {pg_monitor=rw/", 0) == 0);
  const std::string me = f.sql("SELECT current_user");

  const SnapshotRun run = run_with_snapshot(f, "DROP SCHEMA util CASCADE;");
  CHECK(run.out.find("snapshot before #0: schema util, default privileges for role " + me +
                     " in schema util on TABLES, type util.mood, type util.positive, type "
                     "util.span, "
                     "type util.pair, sequence util.ticket, function util.twice(util.positive), "
                     "function util.next_ticket(), procedure util.noop(): the SQL that creates "
                     "them again (the statement drops them too)") != std::string::npos);
  REQUIRE(run.snapshot["objects"].size() == 10);
  CHECK(run.snapshot["objects"][6] ==
        json{{"statement", 0}, {"kind", "sequence"}, {"name", "util.ticket"}});
  CHECK(f.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'util'") == "0");

  std::string out;
  const json objects = restore_in_place(f, run.id, out)["objects"];
  CHECK(described(f, "util") == before);
  CHECK(f.sql("SELECT nspacl::text FROM pg_namespace WHERE nspname = 'util'") == schema);
  CHECK(f.sql(defaults) == acl);
  REQUIRE(objects.size() == 10);
  for (const json& o : objects)
    CHECK(o["result"] == "identical");
  CHECK(out.find("restore: function util.twice(util.positive) (statement #0): identical "
                 "definition to the snapshot") != std::string::npos);
  CHECK(out.find("restore: view public.report (statement #0): identical") != std::string::npos);
  // The view works, and the sequence goes on where it stood (100, 105 were drawn).
  CHECK(f.sql("SELECT answer FROM report") == "42");
  CHECK(f.sql("SELECT util.next_ticket()") == "110");
}

TEST_CASE("a DROP that takes what a snapshot cannot save is blocked, naming all of it",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SCHEMA calc;"
      "CREATE TABLE calc.items (id int PRIMARY KEY, n int);"
      "INSERT INTO calc.items VALUES (1, 1);"
      "CREATE FUNCTION calc.same(a int, b int) RETURNS bool LANGUAGE sql AS 'SELECT a = b';"
      "CREATE OPERATOR calc.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = calc.same);"
      "CREATE TEXT SEARCH CONFIGURATION calc.words (COPY = pg_catalog.simple);");
  auto r = f.safedb({"run", f.file("drop.sql", "DROP SCHEMA calc CASCADE;"), "--target", "db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK((r.out + r.err)
            .find("statement #0 also drops operator calc.===(integer,integer), text search "
                  "configuration calc.words, which a snapshot cannot save") != std::string::npos);
  // Nothing was dropped.
  CHECK(f.sql("SELECT count(*) FROM calc.items") == "1");
  CHECK(f.sql("SELECT 2 OPERATOR(calc.===) 2") == "t");
}

TEST_CASE("DROP TYPE and DROP EXTENSION save what they drop, and restore creates it again",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TYPE level AS ENUM ('low', 'high');"
      "CREATE TABLE tasks (id int PRIMARY KEY, lvl level);"
      "INSERT INTO tasks VALUES (1, 'low'), (2, 'high');"
      "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
      "CREATE TABLE notes (id int PRIMARY KEY, body text);"
      "CREATE INDEX notes_trgm ON notes USING gin (body gin_trgm_ops);");
  const std::string version =
      f.sql("SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'");

  const SnapshotRun run =
      run_with_snapshot(f, "DROP TYPE level CASCADE;\nDROP EXTENSION pg_trgm CASCADE;");
  CHECK(run.out.find("snapshot before #0: type public.level: the SQL that creates it again") !=
        std::string::npos);
  CHECK(run.out.find("snapshot before #1: extension pg_trgm: the SQL that creates it again") !=
        std::string::npos);

  SECTION("in place") {
    std::string out;
    const json objects = restore_in_place(f, run.id, out)["objects"];
    REQUIRE(objects.size() == 2);
    CHECK(objects[0]["name"] == "pg_trgm");
    CHECK(objects[0]["result"] == "identical");
    CHECK(objects[1]["result"] == "identical");
    CHECK(f.sql("SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'") == version);
    CHECK(f.sql("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE "
                "enumtypid = 'level'::regtype") == "low,high");
    CHECK(f.sql("SELECT string_agg(lvl::text, ',' ORDER BY id) FROM tasks") == "low,high");
    CHECK(f.sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'notes_trgm'") == "1");
  }
  SECTION("a type of that name with another definition is a problem, and nothing is restored") {
    f.sql("CREATE TYPE level AS ENUM ('low', 'mid', 'high')");
    auto r = f.safedb({"restore", run.id, "--target", "db", "--in-place"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("type public.level: it exists again, different from the snapshot's") !=
          std::string::npos);
    CHECK(f.sql("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'") == "0");
  }
  SECTION("a restore into a schema names them in a note and leaves them out") {
    auto r = f.safedb({"restore", run.id, "--target", "db", "--into", "inspect"});
    INFO(r.out << r.err);
    CHECK((r.out + r.err)
              .find("type public.level (dropped by statement #0) is created again "
                    "only by a restore with --in-place") != std::string::npos);
    CHECK(f.sql("SELECT to_regtype('public.level') IS NULL") == "t");
  }
}

TEST_CASE(
    "DROP COLUMN of a serial or identity column takes its sequence, which restore in place "
    "creates again where it stood; a generated column is computed again; an identity column "
    "whose type changed is one again",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE tickets (k int PRIMARY KEY, id serial, v int, "
      "twice int GENERATED ALWAYS AS (v * 2) STORED);"
      "INSERT INTO tickets (k, v) VALUES (1, 1), (2, 2);"
      "CREATE TABLE orders (k int PRIMARY KEY, id int GENERATED ALWAYS AS IDENTITY (START 10), "
      "v int);"
      "INSERT INTO orders (k, v) VALUES (1, 5), (2, 6);"
      "CREATE TABLE counters (k int PRIMARY KEY, id int GENERATED BY DEFAULT AS IDENTITY);"
      "INSERT INTO counters (k) VALUES (1), (2);");
  const SnapshotRun run = run_with_snapshot(
      f,
      "ALTER TABLE tickets DROP COLUMN id;\nALTER TABLE orders DROP COLUMN id;\n"
      "ALTER TABLE tickets DROP COLUMN twice;\nALTER TABLE counters ALTER COLUMN id TYPE bigint;");
  // Only the sequence of the identity column whose type changed is left.
  CHECK(f.sql("SELECT string_agg(relname, ',') FROM pg_class WHERE relkind = 'S'") ==
        "counters_id_seq");

  std::string out;
  const json checks = restore_in_place(f, run.id, out);
  CHECK(checks["identical"] == true);
  // The restored columns take the next values, as they would have.
  f.sql("INSERT INTO tickets (k, v) VALUES (3, 3); INSERT INTO orders (k, v) VALUES (3, 7)");
  CHECK(f.sql("SELECT string_agg(id::text, ',' ORDER BY k) FROM tickets") == "1,2,3");
  CHECK(f.sql("SELECT string_agg(id::text, ',' ORDER BY k) FROM orders") == "10,11,12");
  CHECK(f.sql("SELECT attidentity FROM pg_attribute WHERE attrelid = 'orders'::regclass AND "
              "attname = 'id'") == "a");
  CHECK(f.sql("SELECT pg_get_serial_sequence('tickets', 'id')") == "public.tickets_id_seq");
  CHECK(f.sql("SELECT string_agg(twice::text, ',' ORDER BY k) FROM tickets") == "2,4,6");
  // An identity column whose type changed is back to its type, still an identity.
  f.sql("INSERT INTO counters (k) VALUES (3)");
  CHECK(f.sql("SELECT string_agg(id::text, ',' ORDER BY k) FROM counters") == "1,2,3");
  CHECK(
      f.sql(
          "SELECT format_type(atttypid, NULL) || ' ' || attidentity::text FROM pg_attribute WHERE "
          "attrelid = 'counters'::regclass AND attname = 'id'") == "integer d");
  CHECK(f.sql("SELECT attgenerated FROM pg_attribute WHERE attrelid = 'tickets'::regclass AND "
              "attname = 'twice'") == "s");
}

TEST_CASE(
    "DROP SEQUENCE saves the sequence with its value and the defaults CASCADE takes, and "
    "restore in place puts them back",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SEQUENCE invoice_numbers START 1000;"
      "SELECT nextval('invoice_numbers');"
      "CREATE TABLE invoices (id int PRIMARY KEY, number bigint DEFAULT "
      "nextval('invoice_numbers'));"
      "INSERT INTO invoices (id) VALUES (1), (2);"
      "CREATE TABLE notes (id serial PRIMARY KEY, body text);"
      "INSERT INTO notes (body) VALUES ('a');");
  const SnapshotRun run = run_with_snapshot(
      f, "DROP SEQUENCE invoice_numbers CASCADE;\nDROP SEQUENCE notes_id_seq CASCADE;");
  CHECK(run.out.find("snapshot before #0: public.invoices: its default of number (the statement "
                     "drops it too)") != std::string::npos);
  CHECK(run.out.find("snapshot before #0: sequence public.invoice_numbers: the SQL that creates "
                     "it again") != std::string::npos);
  CHECK(run.out.find("snapshot before #1: sequence public.notes_id_seq: the SQL that creates it "
                     "again") != std::string::npos);

  std::string out;
  const json checks = restore_in_place(f, run.id, out);
  CHECK(checks["identical"] == true);
  f.sql("INSERT INTO invoices (id) VALUES (3); INSERT INTO notes (body) VALUES ('b')");
  CHECK(f.sql("SELECT string_agg(number::text, ',' ORDER BY id) FROM invoices") ==
        "1001,1002,1003");
  CHECK(f.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM notes") == "1,2");
  // The serial's sequence is owned by its column again.
  CHECK(f.sql("SELECT pg_get_serial_sequence('notes', 'id')") == "public.notes_id_seq");
}

TEST_CASE(
    "DROP FUNCTION CASCADE saves the function and what uses it, and restore in place puts "
    "all of it back",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE FUNCTION twice(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';"
      "CREATE TABLE items (k int PRIMARY KEY, a int, "
      "g int GENERATED ALWAYS AS (twice(a)) STORED, "
      "d int DEFAULT twice(3) CHECK (twice(d) > 0));"
      "CREATE INDEX items_twice ON items (twice(a));"
      "CREATE VIEW doubled AS SELECT k, twice(a) AS a2 FROM items;"
      "INSERT INTO items (k, a) VALUES (1, 1), (2, 5);");
  const std::string before =
      f.sql("SELECT string_agg(k || ':' || a || ':' || g || ':' || d, ',' ORDER BY k) FROM items");

  const SnapshotRun run = run_with_snapshot(f, "DROP FUNCTION twice(integer) CASCADE;");
  // The generated column is a part: its values come from the other columns again.
  CHECK(run.snapshot["tables"].empty());
  CHECK(run.out.find("snapshot before #0: public.items: its generated column g, index "
                     "items_twice, constraint items_d_check, default of d (the statement drops "
                     "them too)") != std::string::npos);
  CHECK(run.out.find("snapshot before #0: function public.twice(integer): the SQL that creates "
                     "it again") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND "
              "attname = 'g' AND NOT attisdropped") == "0");

  std::string out;
  const json checks = restore_in_place(f, run.id, out);
  CHECK(checks["identical"] == true);
  CHECK(f.sql("SELECT string_agg(k || ':' || a || ':' || g || ':' || d, ',' ORDER BY k) FROM "
              "items") == before);
  CHECK(f.sql("SELECT sum(a2) FROM doubled") == "12");
  CHECK(f.sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'items_twice'") == "1");
  // The check holds again.
  auto refused =
      f.safedb({"run", f.file("bad.sql", "INSERT INTO items (k, a, d) VALUES (3, 1, -1);"),
                "--target", "db"});
  CHECK(refused.exit_code != 0);
}

TEST_CASE("DROP TABLE of a published table puts it back into its publications", "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE events (k int PRIMARY KEY, a int, secret text);"
      "INSERT INTO events VALUES (1, 1, 'x');"
      "CREATE PUBLICATION everything FOR TABLE events;"
      "CREATE PUBLICATION public_part FOR TABLE events (k, a) WHERE (a > 0);");
  const std::string query =
      "SELECT string_agg(pubname || ' ' || attnames::text || ' ' || coalesce(rowfilter, ''), ';' "
      "ORDER BY pubname) FROM pg_publication_tables WHERE tablename = 'events'";
  const std::string before = f.sql(query);
  CHECK(before == "everything {k,a,secret} ;public_part {k,a} (a > 0)");

  const SnapshotRun run = run_with_snapshot(f, "DROP TABLE events;");
  CHECK(f.sql("SELECT count(*) FROM pg_publication_rel") == "0");
  std::string out;
  CHECK(restore_in_place(f, run.id, out)["identical"] == true);
  CHECK(f.sql(query) == before);
}

TEST_CASE(
    "DROP PROCEDURE and DROP ROUTINE CASCADE save the procedures and functions they name, and a "
    "procedure named with its OUT arguments blocks the run",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SCHEMA ops;"
      "CREATE PROCEDURE ops.add(a int, INOUT b int) LANGUAGE sql AS 'SELECT a + b';"
      "COMMENT ON PROCEDURE ops.add(int, int) IS 'adds';"
      "CREATE PROCEDURE ops.tidy() LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'tidy'; END $$;"
      "CREATE FUNCTION ops.twice(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';"
      "CREATE TABLE ops.t (id int PRIMARY KEY, v int DEFAULT ops.twice(2));"
      "CREATE PROCEDURE ops.copy(IN a int, OUT b int) LANGUAGE plpgsql AS $$ BEGIN b := a; END $$");
  const std::string before = described(f, "ops");

  const SnapshotRun run = run_with_snapshot(f,
                                            "DROP PROCEDURE ops.add(int, int), ops.tidy CASCADE;\n"
                                            "DROP ROUTINE ops.twice(int) CASCADE;\n");
  CHECK_THAT(run.out, Catch::Contains("snapshot before #0: procedure ops.add(integer,integer), "
                                      "procedure ops.tidy(): the SQL that creates them again"));
  CHECK_THAT(run.out, Catch::Contains("snapshot before #1: ops.t: its default of v"));
  std::string out;
  CHECK(restore_in_place(f, run.id, out)["identical"] == true);
  CHECK(described(f, "ops") == before);
  CHECK(f.sql("INSERT INTO ops.t (id) VALUES (1) RETURNING v") == "4");

  // PostgreSQL finds ops.copy by all its arguments too; the snapshot would not.
  auto r = f.safedb(
      {"run", f.file("out.sql", "DROP PROCEDURE ops.copy(int, int) CASCADE;\n"), "--target", "db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out + r.err, Catch::Contains("no routine \"ops\".\"copy\"(\"pg_catalog\".\"int4\", "
                                            "\"pg_catalog\".\"int4\") takes these input "
                                            "arguments"));
  CHECK(described(f, "ops") == before);
}

TEST_CASE("a snapshot that found nothing to save says so, and its restore has nothing to do",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  const SnapshotRun run = run_with_snapshot(f, "DROP PROCEDURE IF EXISTS gone(int) CASCADE;\n");
  CHECK_THAT(run.out, Catch::Contains("(empty: the statements found nothing to save)"));
  CHECK_THAT(run.out, !Catch::Contains("to undo"));
  const std::size_t records = f.records("outcome").size();
  for (const char* mode : {"--in-place", "--print-sql"}) {
    auto r = f.safedb({"restore", run.id, "--target", "db", mode});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out + r.err,
               Catch::Contains("restore: nothing to do: the snapshot holds nothing"));
    if (std::string(mode) == "--print-sql") CHECK(r.out.empty());
  }
  CHECK(f.records("outcome").size() == records);
}

namespace {

// A test extension installed into the server's extension folder for the
// life of the object: two configuration tables (pg_extension_config_dump),
// one with a key, one without, each with a row its script adds.
class ConfigExtension {
 public:
  explicit ConfigExtension(const RunFixture& f) {
    const std::string dir = f.sql("SELECT setting FROM pg_config() WHERE name = 'SHAREDIR'");
    control_ = dir + "/extension/safedb_test_config.control";
    script_ = dir + "/extension/safedb_test_config--1.0.sql";
    std::ofstream control(control_);
    control << "default_version = '1.0'\nrelocatable = false\nschema = public\n";
    std::ofstream script(script_);
    script << "CREATE TABLE keyed (k text PRIMARY KEY, v text);\n"
              "INSERT INTO keyed VALUES ('default', 'x');\n"
              "SELECT pg_extension_config_dump('keyed', 'WHERE k <> ''default''');\n"
              "CREATE TABLE loose (k text, v int);\n"
              "INSERT INTO loose VALUES ('default', 0);\n"
              "SELECT pg_extension_config_dump('loose', '');\n";
    installed_ = control.good() && script.good();
  }
  ~ConfigExtension() {
    std::remove(control_.c_str());
    std::remove(script_.c_str());
  }
  bool installed() const { return installed_; }

 private:
  std::string control_;
  std::string script_;
  bool installed_ = false;
};

}  // namespace

TEST_CASE(
    "the configuration tables of a dropped extension get their rows back when it is created "
    "again",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  ConfigExtension extension(f);
  if (!extension.installed()) {
    WARN("the server's extension folder is not writable here: not tested");
    return;
  }
  f.sql(
      "CREATE EXTENSION safedb_test_config;"
      "INSERT INTO keyed VALUES ('a', '1'), ('b', '2');"
      "INSERT INTO loose VALUES ('a', 1), ('a', 1), ('default', 0)");
  const std::string keyed = safedb::test::content_md5(f, "keyed");
  const std::string loose = safedb::test::content_md5(f, "loose");

  const SnapshotRun run = run_with_snapshot(f, "DROP EXTENSION safedb_test_config CASCADE;\n");
  CHECK_THAT(run.out, Catch::Contains("snapshot before #0: public.keyed, 3 rows"));
  CHECK_THAT(run.out, Catch::Contains("snapshot before #0: public.loose, 4 rows"));
  std::string out;
  const json checks = restore_in_place(f, run.id, out);
  INFO(out);
  CHECK(checks["identical"] == true);
  CHECK(safedb::test::content_md5(f, "keyed") == keyed);
  CHECK(safedb::test::content_md5(f, "loose") == loose);
  CHECK(f.sql("SELECT count(*) FROM pg_depend WHERE refobjid = (SELECT oid FROM pg_extension "
              "WHERE extname = 'safedb_test_config') AND deptype = 'e' AND classid = "
              "'pg_class'::regclass") == "2");
}

TEST_CASE(
    "aggregates that DROP SCHEMA or DROP AGGREGATE CASCADE take come back with every option, "
    "after the functions they call, as pg_dump describes them",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  const std::string reader = "reader_" + f.database();
  f.sql("CREATE ROLE " + reader);
  f.sql(
      "CREATE SCHEMA app;"
      "CREATE TABLE app.t (id int PRIMARY KEY, v int);"
      "INSERT INTO app.t SELECT g, g FROM generate_series(1, 10) g;"
      "CREATE FUNCTION app.acc(int8, int) RETURNS int8 LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';"
      "CREATE AGGREGATE app.total(int) (SFUNC = app.acc, STYPE = int8, INITCOND = '0',"
      " PARALLEL = SAFE);"
      "COMMENT ON AGGREGATE app.total(int) IS 'sums';"
      "REVOKE ALL ON FUNCTION app.total(int) FROM PUBLIC;"
      "GRANT EXECUTE ON FUNCTION app.total(int) TO " +
      reader +
      ";"
      "CREATE AGGREGATE app.rows(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0');"
      "CREATE AGGREGATE app.top(int) (SFUNC = int4larger, STYPE = int, SORTOP = >,"
      " COMBINEFUNC = int4larger);"
      "CREATE AGGREGATE app.pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition,"
      " STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);"
      "CREATE AGGREGATE app.moving(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0',"
      " MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = int, MINITCOND = '0');"
      "CREATE AGGREGATE app.place(VARIADIC \"any\" ORDER BY VARIADIC \"any\")"
      " (SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final,"
      " FINALFUNC_EXTRA, HYPOTHETICAL);"
      "CREATE VIEW app.summary AS SELECT app.total(v), app.rows(*), app.top(v),"
      " app.pct(0.5) WITHIN GROUP (ORDER BY v), sum(v) OVER () FROM app.t GROUP BY v;"
      "CREATE TABLE kept (id int PRIMARY KEY, v int); INSERT INTO kept VALUES (1, 5), (2, 7);"
      "CREATE AGGREGATE most(int) (SFUNC = int4larger, STYPE = int);"
      "CREATE VIEW kept_most AS SELECT most(v) FROM kept");
  const std::string summary = f.sql("SELECT string_agg(s::text, ';') FROM app.summary s");

  const safedb::test::RoundTrip schema = safedb::test::round_trip(f, "DROP SCHEMA app CASCADE;\n");
  CHECK_THAT(schema.run.out, Catch::Contains("aggregate app.total(integer), aggregate app.rows(), "
                                             "aggregate app.top(integer)"));
  CHECK(schema.checks["identical"] == true);
  CHECK(f.sql("SELECT string_agg(s::text, ';') FROM app.summary s") == summary);

  const safedb::test::RoundTrip named =
      safedb::test::round_trip(f, "DROP AGGREGATE most(int) CASCADE;\n");
  CHECK(named.checks["identical"] == true);
  CHECK(f.sql("SELECT * FROM kept_most") == "7");
}

TEST_CASE(
    "collations a DROP SCHEMA takes come back before the domains and the columns of kept tables "
    "that use them",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SCHEMA app;"
      "CREATE COLLATION app.ci (PROVIDER = icu, LOCALE = 'und-u-ks-level2',"
      " DETERMINISTIC = false);"
      "CREATE COLLATION app.\"Plain C\" (LC_COLLATE = 'C', LC_CTYPE = 'C');"
      "COMMENT ON COLLATION app.ci IS 'case-insensitive';"
      "CREATE DOMAIN app.name_ci AS text COLLATE app.ci;"
      "CREATE TABLE app.t (id int PRIMARY KEY, n app.name_ci);"
      "INSERT INTO app.t VALUES (1, 'A');"
      // Kept tables whose last column has one of them: the DROP takes the column.
      "CREATE TABLE users (id int PRIMARY KEY, email text COLLATE app.ci);"
      "CREATE TABLE codes (id int PRIMARY KEY, code text COLLATE app.\"Plain C\");"
      "INSERT INTO users SELECT g, 'User' || g || '@example.org' FROM generate_series(1, 10) g;"
      "INSERT INTO codes SELECT g, 'c' || g FROM generate_series(1, 10) g");
  const std::string users = safedb::test::content_md5(f, "users");
  const safedb::test::RoundTrip r = safedb::test::round_trip(f, "DROP SCHEMA app CASCADE;\n");
  CHECK_THAT(r.run.out, Catch::Contains("public.users, 10 rows: the whole table (the statement "
                                        "drops its column email too, as its collation app.ci "
                                        "goes with it)"));
  CHECK_THAT(r.run.out,
             Catch::Contains("collation app.ci, collation app.\"Plain C\", type app.name_ci"));
  CHECK(r.checks["identical"] == true);
  CHECK(safedb::test::content_md5(f, "users") == users);
  // Case-insensitive again.
  CHECK(f.sql("SELECT count(*) FROM users WHERE email = 'USER1@EXAMPLE.ORG'") == "1");
}
