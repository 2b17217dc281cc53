#include <catch2/catch.hpp>

#include "support/sql_helpers.h"

using namespace safedb;
using namespace safedb::sql;
using test::analyse_sql;
using test::has_rule;

namespace {

const Statement& at(const Result<FileAnalysis>& a, std::size_t i) {
  REQUIRE(a.ok());
  REQUIRE(a->statements.size() > i);
  return a->statements[i];
}

const Finding* finding(const Statement& st, const std::string& rule) {
  for (const Finding& f : st.findings) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("statements inside a DO block are classified at their own lines", "[sql][plpgsql]") {
  auto a = analyse_sql(
      "DO $$\n"
      "DECLARE n int;\n"
      "BEGIN\n"
      "  SELECT count(*) INTO n FROM accounts;\n"
      "  IF n > 0 THEN\n"
      "    UPDATE accounts SET active = false;\n"
      "  END IF;\n"
      "END $$;");
  const Statement& st = at(a, 0);
  CHECK(st.kind == "DoStmt");
  CHECK(st.effects.has(Effect::data_loss));
  const Finding* f = finding(st, "unbounded-update");
  REQUIRE(f != nullptr);
  CHECK(f->position == Position{6, 5});
}

TEST_CASE("EXECUTE of a string literal is analysed like any SQL", "[sql][plpgsql]") {
  auto a = analyse_sql("DO $$ BEGIN EXECUTE 'DROP TABLE archive'; END $$;");
  const Statement& st = at(a, 0);
  CHECK(st.effects.has(Effect::data_loss));
  const Finding* f = finding(st, "ban-drop-table");
  REQUIRE(f != nullptr);
  CHECK(f->position == Position{1, 22});
  CHECK_FALSE(st.effects.has(Effect::opaque));
}

TEST_CASE("EXECUTE of a dollar-quoted literal is analysed too", "[sql][plpgsql]") {
  auto a = analyse_sql("DO $$\nBEGIN\n  EXECUTE $q$TRUNCATE big$q$;\nEND $$;");
  const Finding* f = finding(at(a, 0), "ban-truncate");
  REQUIRE(f != nullptr);
  CHECK(f->position == Position{3, 14});
}

TEST_CASE("EXECUTE of a computed string is opaque", "[sql][plpgsql]") {
  for (const char* code : {"EXECUTE format('DROP TABLE %I', name);",
                           "EXECUTE 'DROP TABLE ' || name;", "EXECUTE stmt;"}) {
    INFO(code);
    auto a = analyse_sql(std::string("DO $$ DECLARE name text := 'x'; stmt text; BEGIN ") + code +
                         " END $$;");
    const Statement& st = at(a, 0);
    CHECK(st.effects.has(Effect::opaque));
    CHECK(has_rule(st, "dynamic-sql"));
  }
}

TEST_CASE("FOR ... IN EXECUTE, RETURN QUERY EXECUTE and OPEN ... FOR EXECUTE are inspected",
          "[sql][plpgsql]") {
  auto a = analyse_sql(
      "CREATE FUNCTION f() RETURNS SETOF int LANGUAGE plpgsql AS $$\n"
      "DECLARE r record; c refcursor;\n"
      "BEGIN\n"
      "  FOR r IN EXECUTE 'DELETE FROM a RETURNING 1' LOOP END LOOP;\n"
      "  RETURN QUERY EXECUTE 'SELECT ' || 1;\n"
      "  OPEN c FOR EXECUTE 'UPDATE b SET x = 1 RETURNING 1';\n"
      "END $$;");
  const Statement& st = at(a, 0);
  CHECK(has_rule(st, "unbounded-delete"));
  CHECK(has_rule(st, "dynamic-sql"));
  CHECK(has_rule(st, "unbounded-update"));
}

TEST_CASE("a function body's effects apply where the function is called", "[sql][plpgsql]") {
  auto a = analyse_sql(
      "CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM logs; END "
      "$$;\n"
      "SELECT purge();\n"
      "CALL purge();");
  CHECK(at(a, 0).effects.empty());
  CHECK(has_rule(at(a, 0), "unbounded-delete"));
  CHECK(at(a, 1).effects.has(Effect::data_loss));
  CHECK(at(a, 1).objects == std::vector<std::string>{"public.logs"});
  CHECK(at(a, 2).effects.has(Effect::data_loss));
  CHECK_FALSE(at(a, 2).effects.has(Effect::opaque));
}

TEST_CASE("SQL-language bodies are analysed, quoted or BEGIN ATOMIC", "[sql]") {
  auto quoted = analyse_sql(
      "CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS 'TRUNCATE t';\nSELECT wipe();");
  CHECK(has_rule(at(quoted, 0), "ban-truncate"));
  CHECK(at(quoted, 1).effects.has(Effect::data_loss));
  auto atomic = analyse_sql(
      "CREATE FUNCTION wipe() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END;\nSELECT "
      "wipe();");
  CHECK(has_rule(at(atomic, 0), "unbounded-delete"));
  CHECK(at(atomic, 1).effects.has(Effect::data_loss));
}

TEST_CASE("side effects inside PL/pgSQL expressions are found", "[sql][plpgsql]") {
  auto a = analyse_sql(
      "DO $$ DECLARE n bigint; BEGIN\n"
      "  n := setval('seq', 1);\n"
      "  PERFORM pg_terminate_backend(42);\n"
      "END $$;");
  const Statement& st = at(a, 0);
  CHECK(has_rule(st, "sequence-restart"));
  const Finding* f = finding(st, "side-effect-function");
  REQUIRE(f != nullptr);
  CHECK(f->position == Position{3, 11});
}

TEST_CASE("PL/pgSQL that does not compile, and other languages, are opaque", "[sql][plpgsql]") {
  auto broken = analyse_sql("DO $$ BEGIN this is not plpgsql; END $$;");
  CHECK(at(broken, 0).effects.has(Effect::opaque));
  CHECK(has_rule(at(broken, 0), "unanalysable-code"));
  auto python = analyse_sql("DO LANGUAGE plpython3u $$ plpy.execute('DELETE FROM t') $$;");
  CHECK(at(python, 0).effects.has(Effect::opaque));
  CHECK(has_rule(at(python, 0), "unanalysable-code"));
}

TEST_CASE("calls of functions that are not built in are opaque", "[sql]") {
  auto a = analyse_sql("SELECT archive_orders(30);");
  CHECK(at(a, 0).effects == (EffectSet{Effect::opaque}));
  CHECK(has_rule(at(a, 0), "opaque-function-call"));
  auto qualified = analyse_sql("SELECT app.refresh();");
  CHECK(has_rule(at(qualified, 0), "opaque-function-call"));
}

TEST_CASE("built-in functions without side effects are not opaque", "[sql]") {
  auto a = analyse_sql(
      "SELECT count(*), now(), lower(name), coalesce(x, 0), jsonb_build_object('a', 1), random(), "
      "nextval('s'), pg_catalog.length('x'), gen_random_uuid(), pg_advisory_xact_lock(1) FROM t;");
  CHECK(at(a, 0).effects.empty());
  CHECK(at(a, 0).findings.empty());
}

TEST_CASE("side-effecting built-ins are opaque", "[sql]") {
  for (const char* sql :
       {"SELECT pg_terminate_backend(1);", "SELECT pg_reload_conf();",
        "SELECT pg_drop_replication_slot('s');", "SELECT pg_cancel_backend(1);"}) {
    INFO(sql);
    auto a = analyse_sql(sql);
    CHECK(at(a, 0).effects.has(Effect::opaque));
    CHECK(has_rule(at(a, 0), "side-effect-function"));
  }
}

TEST_CASE("CALL, COPY PROGRAM, LOAD and unknown EXECUTE are opaque", "[sql]") {
  struct Case {
    const char* sql;
    const char* rule;
  };
  for (const Case& c :
       {Case{"CALL nightly_cleanup();", "call-procedure"},
        Case{"COPY t TO PROGRAM 'gzip > /tmp/t.gz';", "copy-program"},
        Case{"COPY t FROM '/etc/passwd';", "copy-program"}, Case{"LOAD 'plugin';", "load-library"},
        Case{"EXECUTE elsewhere(1);", "unknown-prepared-statement"}}) {
    INFO(c.sql);
    auto a = analyse_sql(c.sql);
    CHECK(at(a, 0).effects.has(Effect::opaque));
    CHECK(has_rule(at(a, 0), c.rule));
  }
}

TEST_CASE("privilege changes are marked", "[sql]") {
  struct Case {
    const char* sql;
    const char* rule;
  };
  for (const Case& c :
       {Case{"GRANT SELECT ON t TO reader;", "privilege-change"},
        Case{"REVOKE ALL ON t FROM PUBLIC;", "privilege-change"},
        Case{"CREATE ROLE admin SUPERUSER;", "privilege-change"},
        Case{"ALTER TABLE t OWNER TO other;", "privilege-change"},
        Case{"ALTER TABLE t DISABLE ROW LEVEL SECURITY;", "disable-row-level-security"},
        Case{"ALTER TABLE t DISABLE TRIGGER ALL;", "disable-trigger"},
        Case{"SET session_replication_role = replica;", "disable-trigger"},
        Case{"SET ROLE admin;", "privilege-change"},
        Case{"CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';",
             "security-definer-function"},
        Case{"ALTER SYSTEM SET fsync = off;", "alter-system"}}) {
    INFO(c.sql);
    auto a = analyse_sql(c.sql);
    CHECK(at(a, 0).effects.has(Effect::privilege));
    CHECK(has_rule(at(a, 0), c.rule));
  }
}

TEST_CASE("statement kinds safedb does not know are opaque, never silently safe", "[sql]") {
  auto a = analyse_sql("CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p;");
  CHECK(at(a, 0).effects.has(Effect::opaque));
}
