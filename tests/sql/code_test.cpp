#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

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

TEST_CASE("every PL/pgSQL statement form is walked, each expression at its own place",
          "[sql][plpgsql]") {
  // One setval() (a sequence-restart finding) in every expression position and
  // one DELETE in every statement list; each must be found where it is.
  auto a = analyse_sql(
      "CREATE FUNCTION every_form(p int, OUT q int) RETURNS SETOF int LANGUAGE plpgsql AS $$\n"
      "DECLARE\n"
      "  d int := setval('s_declare', 1);\n"
      "  c CURSOR FOR SELECT setval('s_cursor', 1);\n"
      "  r record;\n"
      "  x int;\n"
      "BEGIN\n"
      "  p := setval('s_assign', 1);\n"
      "  IF setval('s_if', 1) > 0 THEN DELETE FROM t_then;\n"
      "  ELSIF setval('s_elsif', 1) > 0 THEN DELETE FROM t_elsif;\n"
      "  ELSE DELETE FROM t_else; END IF;\n"
      "  CASE setval('s_case', 1)\n"
      "    WHEN setval('s_when', 1) THEN DELETE FROM t_when;\n"
      "    ELSE DELETE FROM t_case_else; END CASE;\n"
      "  LOOP DELETE FROM t_loop;\n"
      "    EXIT WHEN setval('s_exit', 1) > 0; END LOOP;\n"
      "  WHILE setval('s_while', 1) > 0 LOOP DELETE FROM t_while; END LOOP;\n"
      "  FOR i IN 1..setval('s_fori', 1) LOOP DELETE FROM t_fori; END LOOP;\n"
      "  FOR r IN SELECT setval('s_fors', 1) LOOP DELETE FROM t_fors; END LOOP;\n"
      "  FOREACH x IN ARRAY ARRAY[setval('s_foreach', 1)] LOOP DELETE FROM t_foreach; END LOOP;\n"
      "  OPEN c;\n"
      "  FETCH ABSOLUTE setval('s_fetch', 1) FROM c INTO x;\n"
      "  CLOSE c;\n"
      "  RETURN NEXT;\n"
      "  RETURN QUERY SELECT setval('s_return_query', 1)::int;\n"
      "  RAISE NOTICE '%', setval('s_raise', 1)\n"
      "    USING HINT = setval('s_raise_option', 1)::text;\n"
      "  ASSERT setval('s_assert', 1) > 0,\n"
      "    setval('s_assert_message', 1)::text;\n"
      "  PERFORM setval('s_perform', 1);\n"
      "  CALL proc_called();\n"
      "  GET DIAGNOSTICS x = ROW_COUNT;\n"
      "  BEGIN\n"
      "    DELETE FROM t_block;\n"
      "  EXCEPTION WHEN others THEN\n"
      "    DELETE FROM t_handler;\n"
      "  END;\n"
      "  RETURN;\n"
      "END $$;");
  const Statement& st = at(a, 0);
  CHECK_FALSE(has_rule(st, "unanalysable-code"));
  auto positions = [&](const std::string& rule) {
    std::vector<Position> out;
    for (const Finding& f : st.findings) {
      if (f.rule == rule) out.push_back(f.position);
    }
    std::sort(out.begin(), out.end(), [](const Position& l, const Position& r) {
      return l.line != r.line ? l.line < r.line : l.column < r.column;
    });
    return out;
  };
  CHECK(positions("sequence-restart") == std::vector<Position>{{3, 12},
                                                               {4, 23},
                                                               {8, 8},
                                                               {9, 6},
                                                               {10, 9},
                                                               {12, 8},
                                                               {13, 28},
                                                               {16, 15},
                                                               {17, 9},
                                                               {18, 15},
                                                               {19, 19},
                                                               {20, 28},
                                                               {22, 18},
                                                               {25, 23},
                                                               {26, 21},
                                                               {27, 18},
                                                               {28, 10},
                                                               {29, 5},
                                                               {30, 11}});
  CHECK(positions("unbounded-delete") == std::vector<Position>{{9, 33},
                                                               {10, 39},
                                                               {11, 8},
                                                               {13, 35},
                                                               {14, 10},
                                                               {15, 8},
                                                               {17, 39},
                                                               {18, 40},
                                                               {19, 44},
                                                               {20, 57},
                                                               {34, 5},
                                                               {36, 5}});
  CHECK(positions("call-procedure") == std::vector<Position>{{31, 3}});
}

TEST_CASE("trigger functions compile with NEW and OLD and their parameters", "[sql][plpgsql]") {
  auto trigger = analyse_sql(
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
      "BEGIN NEW.updated := now(); OLD.seen := true; DELETE FROM queue; RETURN NEW; END $$;");
  CHECK_FALSE(has_rule(at(trigger, 0), "unanalysable-code"));
  CHECK(has_rule(at(trigger, 0), "unbounded-delete"));
  auto positional = analyse_sql(
      "CREATE FUNCTION bump(int, step int) RETURNS int LANGUAGE plpgsql AS $$\n"
      "BEGIN $1 := $1 + step; step := 0; RETURN $1; END $$;");
  CHECK_FALSE(has_rule(at(positional, 0), "unanalysable-code"));
}

TEST_CASE("embedded SQL that does not parse makes the block opaque", "[sql][plpgsql]") {
  auto a = analyse_sql("DO $$\nBEGIN\n  DELETE FRM t;\nEND $$;");
  const Statement& st = at(a, 0);
  CHECK(st.effects.has(Effect::opaque));
  const Finding* f = finding(st, "unanalysable-code");
  REQUIRE(f != nullptr);
  CHECK(f->position.line == 3);
  auto unknown = analyse_sql("DO $$ BEGIN undeclared := 1; END $$;");
  CHECK(at(unknown, 0).effects.has(Effect::opaque));
  CHECK(has_rule(at(unknown, 0), "unanalysable-code"));
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
