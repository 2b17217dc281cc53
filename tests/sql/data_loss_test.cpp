#include <catch2/catch.hpp>

#include "support/sql_helpers.h"

using namespace safedb;
using namespace safedb::sql;
using test::analyse_sql;
using test::has_rule;

namespace {

const Statement& only(const Result<FileAnalysis>& a) {
  REQUIRE(a.ok());
  REQUIRE(a->statements.size() == 1);
  return a->statements[0];
}

}  // namespace

TEST_CASE("DELETE without WHERE is unbounded data loss", "[sql]") {
  auto a = analyse_sql("DELETE FROM messages;");
  const Statement& st = only(a);
  CHECK(st.kind == "DeleteStmt");
  CHECK(st.effects == EffectSet{Effect::data_loss});
  CHECK(st.objects == std::vector<std::string>{"public.messages"});
  CHECK(st.lock == LockMode::row_exclusive);
  REQUIRE(st.findings.size() == 1);
  CHECK(st.findings[0].rule == "unbounded-delete");
  CHECK(st.findings[0].severity == Severity::error);
  CHECK(st.findings[0].position == Position{1, 1});
  CHECK_FALSE(st.findings[0].help.empty());
}

TEST_CASE("a WHERE clause that is always true counts as no WHERE clause", "[sql]") {
  for (const char* where :
       {"true", "1 = 1", "'a' = 'a'", "NOT false", "1 = 2 OR 1 = 1", "id = id", "'t'::boolean",
        "2 > 1", "true AND 1 <> 2", "1 = '1'", "NULL IS NULL", "true IS TRUE"}) {
    INFO(where);
    auto a = analyse_sql(std::string("DELETE FROM t WHERE ") + where + ";");
    CHECK(has_rule(only(a), "unbounded-delete"));
    auto u = analyse_sql(std::string("UPDATE t SET x = 1 WHERE ") + where + ";");
    CHECK(has_rule(only(u), "unbounded-update"));
  }
}

TEST_CASE("a WHERE clause that depends on the row is bounded", "[sql]") {
  for (const char* where : {"id = 1", "created_at < now()", "false OR id = 2", "1 = 2", "x IS NULL",
                            "id IN (SELECT id FROM other)", "CURRENT OF c"}) {
    INFO(where);
    auto a = analyse_sql(std::string("DELETE FROM t WHERE ") + where + ";");
    const Statement& st = only(a);
    CHECK_FALSE(has_rule(st, "unbounded-delete"));
    CHECK(has_rule(st, "delete-rows"));
    CHECK(st.effects.has(Effect::data_loss));
  }
}

TEST_CASE("UPDATE without WHERE is unbounded data loss", "[sql]") {
  auto a = analyse_sql("UPDATE accounts SET balance = 0;");
  const Statement& st = only(a);
  CHECK(st.effects.has(Effect::data_loss));
  CHECK(has_rule(st, "unbounded-update"));
}

TEST_CASE("a DELETE hidden in a WITH clause is found at its table", "[sql]") {
  auto a =
      analyse_sql("WITH gone AS (DELETE FROM old_rows RETURNING *)\nSELECT count(*) FROM gone;");
  const Statement& st = only(a);
  CHECK(st.kind == "SelectStmt");
  CHECK(st.effects.has(Effect::data_loss));
  CHECK(st.objects == std::vector<std::string>{"public.old_rows"});
  REQUIRE(has_rule(st, "unbounded-delete"));
  CHECK(st.findings[0].position == Position{1, 27});
}

TEST_CASE("an UPDATE nested in a data-modifying CTE of an INSERT is data loss", "[sql]") {
  auto a = analyse_sql(
      "WITH moved AS (UPDATE queue SET state = 'done' WHERE id < 10 RETURNING id) "
      "INSERT INTO log SELECT id FROM moved;");
  const Statement& st = only(a);
  CHECK(st.effects.has(Effect::data_loss));
  CHECK(has_rule(st, "update-rows"));
  CHECK(st.objects == std::vector<std::string>{"public.log", "public.queue"});
}

TEST_CASE("MERGE with DELETE or UPDATE actions is data loss, insert-only MERGE is not", "[sql]") {
  auto del = analyse_sql("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;");
  CHECK(only(del).effects.has(Effect::data_loss));
  CHECK(has_rule(only(del), "merge-modifies-rows"));
  auto ins = analyse_sql(
      "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id);");
  CHECK_FALSE(only(ins).effects.has(Effect::data_loss));
  CHECK(only(ins).lock == LockMode::row_exclusive);
}

TEST_CASE("MERGE ... RETURNING and NOT MATCHED BY SOURCE parse with the PostgreSQL 17 grammar",
          "[sql]") {
  auto a = analyse_sql(
      "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE RETURNING *;");
  const Statement& st = only(a);
  CHECK(st.kind == "MergeStmt");
  REQUIRE(has_rule(st, "merge-modifies-rows"));
  CHECK(st.findings[0].message.find("absent from its source") != std::string::npos);
}

TEST_CASE("INSERT ... ON CONFLICT DO UPDATE overwrites rows; DO NOTHING does not", "[sql]") {
  auto up =
      analyse_sql("INSERT INTO kv VALUES (1, 'a') ON CONFLICT (k) DO UPDATE SET v = excluded.v;");
  CHECK(only(up).effects.has(Effect::data_loss));
  CHECK(has_rule(only(up), "upsert-overwrites"));
  auto nothing = analyse_sql("INSERT INTO kv VALUES (1, 'a') ON CONFLICT DO NOTHING;");
  CHECK(only(nothing).effects.empty());
}

TEST_CASE("TRUNCATE is data loss and blocking; CASCADE and RESTART IDENTITY are called out",
          "[sql]") {
  auto a = analyse_sql("TRUNCATE a, b RESTART IDENTITY CASCADE;");
  const Statement& st = only(a);
  CHECK(st.effects == (EffectSet{Effect::data_loss, Effect::blocking}));
  CHECK(st.lock == LockMode::access_exclusive);
  CHECK(has_rule(st, "ban-truncate"));
  CHECK(has_rule(st, "truncate-cascade"));
  CHECK(has_rule(st, "sequence-restart"));
}

TEST_CASE("every DROP of stored data is data loss", "[sql]") {
  struct Case {
    const char* sql;
    const char* rule;
  };
  for (const Case& c :
       {Case{"DROP TABLE messages;", "ban-drop-table"},
        Case{"DROP SCHEMA reporting;", "ban-drop-schema"},
        Case{"DROP MATERIALIZED VIEW totals;", "ban-drop-materialized-view"},
        Case{"DROP SEQUENCE seq;", "ban-drop-sequence"},
        Case{"DROP DATABASE app;", "ban-drop-database"},
        Case{"ALTER TABLE users DROP COLUMN legacy;", "ban-drop-column"},
        Case{"ALTER TABLE users ALTER COLUMN age TYPE smallint;", "changing-column-type"},
        Case{"ALTER SEQUENCE seq RESTART;", "sequence-restart"},
        Case{"ALTER SEQUENCE seq RESTART WITH 0;", "sequence-restart"},
        Case{"ALTER TABLE users ALTER COLUMN id RESTART WITH 1;", "sequence-restart"},
        Case{"SELECT setval('seq', 1);", "sequence-restart"},
        Case{"SELECT lo_unlink(1234);", "large-object-unlink"},
        Case{"DROP OWNED BY old_app;", "drop-owned"},
        Case{"DROP TYPE mood CASCADE;", "drop-cascade"}}) {
    INFO(c.sql);
    auto a = analyse_sql(c.sql);
    const Statement& st = only(a);
    CHECK(st.effects.has(Effect::data_loss));
    CHECK(has_rule(st, c.rule));
  }
}

TEST_CASE("DROP DATABASE is also non-transactional", "[sql]") {
  auto a = analyse_sql("DROP DATABASE app;");
  CHECK(only(a).kind == "DropdbStmt");
  CHECK(only(a).effects.has(Effect::non_transactional));
}

TEST_CASE("a PREPAREd DELETE is data loss where it is EXECUTEd", "[sql]") {
  auto a = analyse_sql("PREPARE purge AS DELETE FROM t WHERE id = $1;\nEXECUTE purge(5);");
  REQUIRE(a.ok());
  REQUIRE(a->statements.size() == 2);
  CHECK(a->statements[0].effects.empty());
  CHECK(has_rule(a->statements[0], "delete-rows"));
  CHECK(a->statements[1].effects.has(Effect::data_loss));
  CHECK(a->statements[1].objects == std::vector<std::string>{"public.t"});
}

TEST_CASE("EXPLAIN ANALYZE runs its statement; plain EXPLAIN does not", "[sql]") {
  auto analyze = analyse_sql("EXPLAIN (ANALYZE) DELETE FROM t;");
  CHECK(only(analyze).effects.has(Effect::data_loss));
  auto plain = analyse_sql("EXPLAIN DELETE FROM t;");
  CHECK(only(plain).effects.empty());
  CHECK(only(plain).findings.empty());
}

TEST_CASE("objects created in the same file are not existing data", "[sql]") {
  auto a = analyse_sql(
      "CREATE TABLE scratch (id int, note text);\n"
      "CREATE INDEX ON scratch (id);\n"
      "ALTER TABLE scratch ADD COLUMN must int NOT NULL;\n"
      "ALTER TABLE scratch ALTER COLUMN note TYPE varchar(20);\n"
      "TRUNCATE scratch;\n"
      "DROP TABLE scratch;\n");
  REQUIRE(a.ok());
  for (const Statement& st : a->statements) {
    INFO(st.kind);
    CHECK(st.effects.empty());
    CHECK(st.findings.empty());
    CHECK(st.lock == LockMode::none);
  }
}

TEST_CASE("a table created, dropped and touched again counts as existing again", "[sql]") {
  auto a = analyse_sql("CREATE TABLE t (id int);\nDROP TABLE t;\nDROP TABLE t;");
  REQUIRE(a.ok());
  CHECK(a->statements[1].effects.empty());
  CHECK(has_rule(a->statements[2], "ban-drop-table"));
}
