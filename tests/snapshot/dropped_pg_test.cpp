// What a DROP takes beyond what it names (inheritance children, columns of
// other tables whose type it drops) is in its snapshot, and restore brings it
// back, recreating the enums, domains and composite types the dropped schema
// held.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/run_fixture.h"

using nlohmann::json;
using safedb::test::content_md5;
using safedb::test::run_with_snapshot;
using safedb::test::RunFixture;
using safedb::test::snapshot_policy;
using safedb::test::SnapshotRun;

namespace {

void restore(const RunFixture& f, const std::string& run_id, const std::string& mode) {
  std::vector<std::string> args = {"restore", run_id, "--target", "db"};
  if (!mode.empty()) args.push_back(mode);
  auto r = f.safedb(args);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(f.records("outcome").back())["payload"]["checks"]["identical"] == true);
}

}  // namespace

TEST_CASE(
    "DROP SCHEMA CASCADE saves the columns of other tables whose types it drops, and the tables "
    "that inherit from its own, and restore recreates the types",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  const std::string owner = "owner_" + f.database();
  f.sql("CREATE ROLE " + owner + "; CREATE SCHEMA app AUTHORIZATION " + owner +
        "; GRANT USAGE ON SCHEMA app TO PUBLIC");
  f.sql(
      "CREATE TYPE app.mood AS ENUM ('sad', 'ok');"
      "CREATE TYPE app.pair AS (x int, m app.mood); CREATE DOMAIN app.positive AS int CHECK "
      "(VALUE > 0); CREATE TABLE app.base (id int); CREATE TABLE kid (x int) INHERITS (app.base);"
      "INSERT INTO kid VALUES (1, 2), (3, 4); INSERT INTO app.base VALUES (9);"
      "CREATE TABLE app.own (id int PRIMARY KEY, m app.mood, d app.positive DEFAULT 7);"
      "INSERT INTO app.own SELECT g, 'ok', g FROM generate_series(1, 30) g;"
      "CREATE TABLE users (id int PRIMARY KEY, m app.mood, ms app.mood[], p app.pair,"
      " d app.positive, name text);"
      "INSERT INTO users SELECT g, 'sad', '{sad,ok}', format('(%s,ok)', g)::app.pair, g, 'u' || g"
      " FROM generate_series(1, 200) g");
  const std::string users_row = "t.id, t.m, t.ms, t.p, t.d, t.name";
  const std::string users = content_md5(f, "users", users_row);
  const std::string kid = content_md5(f, "kid");
  const std::string base = content_md5(f, "ONLY app.base");
  const std::string own = content_md5(f, "app.own");

  const SnapshotRun ran = run_with_snapshot(f, "DROP SCHEMA app CASCADE;\n");
  CHECK(ran.out.find("public.users, 200 rows: the whole table (the statement drops its column ms "
                     "too, as its type app.mood[] goes with it)") != std::string::npos);
  CHECK(ran.out.find("public.kid, 2 rows: the whole table (the statement drops it too, as an "
                     "inheritance child of app.base)") != std::string::npos);
  REQUIRE(ran.snapshot["tables"].size() == 7);  // app.base, app.own, kid, and users once per column
  int users_entries = 0;
  for (const json& t : ran.snapshot["tables"]) {
    if (t["table"] == "app.base") CHECK(t["rows"] == 1);  // its own row, not kid's
    if (t["table"] == "public.users") ++users_entries;
  }
  CHECK(users_entries == 4);
  CHECK(f.sql("SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND "
              "attnum > 0 AND NOT attisdropped") == "2");

  SECTION("into a schema, with stand-ins for the types that are gone") {
    restore(f, ran.id, "");
    const std::string schema = "safedb_restore_" + ran.id.substr(0, 24);
    CHECK(f.sql("SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM "
                "pg_attribute WHERE attrelid = '\"" +
                schema + "\".users_0'::regclass AND attnum > 0") ==
          "integer,text,text,text,text,text");
    CHECK(f.sql("SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM "
                "pg_attribute WHERE attrelid = '\"" +
                schema + "\".own_0'::regclass AND attnum > 0") == "integer,text,integer");
    CHECK(content_md5(f, "\"" + schema + "\".users_0", users_row) == users);
  }
  SECTION("in place") {
    restore(f, ran.id, "--in-place");
    CHECK(content_md5(f, "users", users_row) == users);
    CHECK(content_md5(f, "kid") == kid);
    CHECK(content_md5(f, "ONLY app.base") == base);
    CHECK(content_md5(f, "app.own") == own);
    CHECK(f.sql("SELECT 'kid'::regclass IN (SELECT inhrelid FROM pg_inherits)") == "t");
    CHECK(f.sql("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE "
                "enumtypid = 'app.mood'::regtype") == "sad,ok");
    // The domain's check came back with it, and the schema's owner and grants.
    CHECK(f.sql("SELECT count(*) FROM pg_constraint WHERE contypid = 'app.positive'::regtype") ==
          "1");
    CHECK(f.sql("SELECT pg_get_userbyid(nspowner) || ' ' || array_to_string(nspacl, ',') FROM "
                "pg_namespace WHERE nspname = 'app'") ==
          owner + " " + owner + "=UC/" + owner + ",=U/" + owner);
  }
}

TEST_CASE("DROP TABLE CASCADE saves its inheritance children and the columns of its row type",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE base (id int, v text); CREATE TABLE child (w int) INHERITS (base);"
      "CREATE TABLE holder (id int PRIMARY KEY, b base); INSERT INTO base VALUES (1, 'x');"
      "INSERT INTO child VALUES (2, 'y', 3); INSERT INTO holder VALUES (1, ROW(5, 'q')), (2, "
      "NULL)");
  const std::string holder = content_md5(f, "holder");
  const SnapshotRun ran = run_with_snapshot(f, "DROP TABLE base CASCADE;\n");
  REQUIRE(ran.snapshot["tables"].size() == 3);
  CHECK(f.sql("SELECT to_regclass('child') IS NULL") == "t");
  restore(f, ran.id, "--in-place");
  CHECK(f.sql("SELECT string_agg(v, ',' ORDER BY v) FROM ONLY base") == "x");
  CHECK(f.sql("SELECT string_agg(v || w, ',') FROM child") == "y3");
  CHECK(content_md5(f, "holder") == holder);
}

TEST_CASE("a DROP that would drop an attribute of a composite type blocks the run",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('sad', 'ok');"
      "CREATE TYPE pair AS (x int, m app.mood); CREATE TABLE t (id int, p pair);"
      "INSERT INTO t VALUES (1, '(1,ok)')");
  auto r = f.safedb({"run", f.file("change.sql", "DROP SCHEMA app CASCADE;\n"), "--target", "db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.out.find("also drops column m of composite type public.pair") != std::string::npos);
  CHECK(f.sql("SELECT p::text FROM t") == "(1,ok)");
}

TEST_CASE("TRUNCATE of a parent saves each table's own rows, and restore puts them back",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE base (id int PRIMARY KEY, v text); CREATE TABLE child () INHERITS (base);"
      "INSERT INTO base SELECT g, 'b' FROM generate_series(1, 10) g;"
      "INSERT INTO child SELECT g, 'c' FROM generate_series(11, 15) g");
  const SnapshotRun ran = run_with_snapshot(f, "TRUNCATE base;\n");
  REQUIRE(ran.snapshot["tables"].size() == 2);
  CHECK(ran.snapshot["tables"][0]["rows"] == 10);
  CHECK(ran.snapshot["tables"][1]["rows"] == 5);
  restore(f, ran.id, "--in-place");
  CHECK(f.sql("SELECT count(*) FROM ONLY base") == "10");
  CHECK(f.sql("SELECT count(*) FROM child") == "5");
}

TEST_CASE("a dropped table is recreated in its schema whatever the restore's search_path",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SCHEMA app; CREATE TABLE app.items (id int PRIMARY KEY, v text DEFAULT 'd');"
      "INSERT INTO app.items SELECT g, 'i' || g FROM generate_series(1, 20) g");
  const std::string items = content_md5(f, "app.items");
  // The definition is read with qualified names; the file's own search_path
  // is back for the statement after it.
  const SnapshotRun ran = run_with_snapshot(
      f, "SET search_path = app;\nDROP TABLE items;\nCREATE TABLE items_after (x int);\n");
  CHECK(f.sql("SELECT to_regclass('app.items_after') IS NOT NULL") == "t");
  restore(f, ran.id, "--in-place");
  CHECK(content_md5(f, "app.items") == items);
  CHECK(f.sql("SELECT to_regclass('public.items') IS NULL") == "t");
}

TEST_CASE("DROP SCHEMA is restored with the functions its tables' defaults and triggers call",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SCHEMA app; CREATE TABLE app.items (id int PRIMARY KEY, code text, at timestamptz);"
      "CREATE FUNCTION app.next_code() RETURNS text LANGUAGE sql AS"
      " $$ SELECT 'c' || (SELECT count(*) FROM app.items) $$;"
      "ALTER TABLE app.items ALTER code SET DEFAULT app.next_code();"
      "CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS"
      " $$ BEGIN NEW.at := '2026-01-01'; RETURN NEW; END $$;"
      "CREATE TRIGGER touch BEFORE UPDATE ON app.items FOR EACH ROW EXECUTE FUNCTION app.touch();"
      "INSERT INTO app.items (id) SELECT generate_series(1, 5)");
  const std::string items = content_md5(f, "app.items");
  const SnapshotRun ran = run_with_snapshot(f, "DROP SCHEMA app CASCADE;\n");
  restore(f, ran.id, "--in-place");
  CHECK(content_md5(f, "app.items") == items);
  CHECK(f.sql("INSERT INTO app.items (id) VALUES (6) RETURNING code") == "c5");
  CHECK(f.sql("UPDATE app.items SET id = 7 WHERE id = 6 RETURNING at = '2026-01-01'") == "t");
}

TEST_CASE(
    "DROP SCHEMA with an extension in it saves the extension's columns elsewhere, and "
    "restore creates the extension again",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext;"
      "CREATE TABLE people (id int PRIMARY KEY, email ext.citext);"
      "INSERT INTO people SELECT g, 'Person' || g || '@Example.org' FROM generate_series(1, 50) g");
  const std::string people = content_md5(f, "people");
  const SnapshotRun ran = run_with_snapshot(f, "DROP SCHEMA ext CASCADE;\n");
  REQUIRE(ran.snapshot["tables"].size() == 1);
  CHECK(ran.snapshot["tables"][0]["table"] == "public.people");
  CHECK(f.sql("SELECT count(*) FROM pg_extension WHERE extname = 'citext'") == "0");
  restore(f, ran.id, "--in-place");
  CHECK(content_md5(f, "people") == people);
  // The column is of the extension's type again (its operators live in ext).
  CHECK(f.sql("SELECT count(*) FROM people WHERE email OPERATOR(ext.=) "
              "'person7@example.org'::ext.citext") == "1");
}

TEST_CASE(
    "DROP TYPE and DROP EXTENSION with CASCADE save the columns they drop, and restore "
    "recreates the type or the extension",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE DOMAIN happy AS mood CHECK (VALUE = 'ok');"
      "CREATE EXTENSION citext;"
      "CREATE TABLE t (id int PRIMARY KEY, m mood, ms mood[], h happy, email citext);"
      "INSERT INTO t SELECT g, 'sad', '{ok,sad}', 'ok', 'A' || g || '@Example.org'"
      " FROM generate_series(1, 40) g");
  const std::string row = "t.id, t.m, t.ms, t.h, t.email";
  const std::string before = content_md5(f, "t", row);

  const SnapshotRun type = run_with_snapshot(f, "DROP TYPE mood CASCADE;\n");
  CHECK(type.snapshot["tables"].size() == 3);  // m, ms, and h (its domain goes with the enum)
  const SnapshotRun extension = run_with_snapshot(f, "DROP EXTENSION citext CASCADE;\n");
  CHECK(extension.snapshot["tables"].size() == 1);
  CHECK(f.sql("SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND "
              "attnum > 0 AND NOT attisdropped") == "1");
  restore(f, extension.id, "--in-place");
  restore(f, type.id, "--in-place");
  CHECK(content_md5(f, "t", row) == before);
  CHECK(f.sql("SELECT count(*) FROM t WHERE email = 'a7@example.org'::citext") == "1");

  // Without CASCADE nothing else is dropped, and nothing needs saving.
  f.sql("CREATE TYPE unused AS ENUM ('x')");
  auto r = f.safedb({"run", f.file("change.sql", "DROP TYPE unused;\n"), "--target", "db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(f.sql("SELECT to_regtype('unused') IS NULL") == "t");
}

TEST_CASE(
    "a dropped table with identity columns is recreated with its sequences' names, options and "
    "positions",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  // The table was renamed, so its identity sequence still has the old name.
  f.sql(
      "CREATE TABLE old_events (id bigint GENERATED ALWAYS AS IDENTITY (START 100 INCREMENT 5)"
      " PRIMARY KEY, n int GENERATED BY DEFAULT AS IDENTITY, v text);"
      "INSERT INTO old_events (v) SELECT 'e' || g FROM generate_series(1, 10) g;"
      "ALTER TABLE old_events RENAME TO events");
  const std::string before = content_md5(f, "events");
  const SnapshotRun ran = run_with_snapshot(f, "DROP TABLE events;\n");
  REQUIRE(f.sql("SELECT to_regclass('events') IS NULL") == "t");
  restore(f, ran.id, "--in-place");
  CHECK(content_md5(f, "events") == before);
  CHECK(f.sql("SELECT string_agg(attname || ':' || attidentity::text, ',' ORDER BY attnum) FROM "
              "pg_attribute WHERE attrelid = 'events'::regclass AND attnum > 0") == "id:a,n:d,v:");
  CHECK(f.sql("SELECT pg_get_serial_sequence('events', 'id')") == "public.old_events_id_seq");
  CHECK(f.sql("SELECT pg_get_serial_sequence('events', 'n')") == "public.old_events_n_seq");
  // Both hand out the values that come next, not used ones.
  CHECK(f.sql("INSERT INTO events (v) VALUES ('new') RETURNING id || ',' || n") == "150,11");
}
