#include <catch2/catch.hpp>

#include "support/sql_helpers.h"

using namespace safedb;
using namespace safedb::sql;
using test::analyse_sql;
using test::has_rule;

namespace {

const Statement& last(const Result<FileAnalysis>& a) {
  REQUIRE(a.ok());
  REQUIRE_FALSE(a->statements.empty());
  return a->statements.back();
}

}  // namespace

TEST_CASE("statements report the lock PostgreSQL takes on existing relations", "[sql]") {
  struct Case {
    const char* sql;
    LockMode lock;
  };
  for (const Case& c : {
           Case{"SELECT * FROM t;", LockMode::access_share},
           Case{"SELECT * FROM t FOR UPDATE;", LockMode::row_share},
           Case{"INSERT INTO t VALUES (1);", LockMode::row_exclusive},
           Case{"UPDATE t SET a = 1 WHERE id = 1;", LockMode::row_exclusive},
           Case{"CREATE INDEX i ON t (a);", LockMode::share},
           Case{"CREATE INDEX CONCURRENTLY i ON t (a);", LockMode::share_update_exclusive},
           Case{"ALTER TABLE t ADD COLUMN c int;", LockMode::access_exclusive},
           Case{"ALTER TABLE t VALIDATE CONSTRAINT c;", LockMode::share_update_exclusive},
           Case{"ALTER TABLE t SET (fillfactor = 70);", LockMode::share_update_exclusive},
           Case{"ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id);",
                LockMode::share_row_exclusive},
           Case{"ALTER TABLE t DISABLE TRIGGER ALL;", LockMode::share_row_exclusive},
           Case{"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
                LockMode::share_row_exclusive},
           Case{"VACUUM t;", LockMode::share_update_exclusive},
           Case{"VACUUM (FULL) t;", LockMode::access_exclusive},
           Case{"ANALYZE t;", LockMode::share_update_exclusive},
           Case{"REFRESH MATERIALIZED VIEW CONCURRENTLY mv;", LockMode::exclusive},
           Case{"REFRESH MATERIALIZED VIEW mv;", LockMode::access_exclusive},
           Case{"LOCK TABLE t IN SHARE MODE;", LockMode::share},
           Case{"LOCK t;", LockMode::access_exclusive},
           Case{"ALTER INDEX i RENAME TO j;", LockMode::share_update_exclusive},
           Case{"CLUSTER t USING i;", LockMode::access_exclusive},
           Case{"CREATE TABLE child (id int REFERENCES parent (id));",
                LockMode::share_row_exclusive},
       }) {
    INFO(c.sql);
    auto a = analyse_sql(c.sql);
    CHECK(to_string(last(a).lock) == to_string(c.lock));
    CHECK(last(a).effects.has(Effect::blocking) == blocks_writes(c.lock));
  }
}

TEST_CASE("non-concurrent index operations on existing tables ask for CONCURRENTLY", "[sql]") {
  CHECK(
      has_rule(last(analyse_sql("CREATE INDEX i ON t (a);")), "require-concurrent-index-creation"));
  CHECK(has_rule(last(analyse_sql("DROP INDEX i;")), "require-concurrent-index-deletion"));
  CHECK(has_rule(last(analyse_sql("REINDEX TABLE t;")), "require-concurrent-reindex"));
  CHECK(has_rule(last(analyse_sql("REINDEX DATABASE app;")), "require-concurrent-reindex"));
  auto concurrent = analyse_sql("CREATE INDEX CONCURRENTLY i ON t (a);");
  CHECK_FALSE(has_rule(last(concurrent), "require-concurrent-index-creation"));
  CHECK(last(concurrent).effects == (EffectSet{Effect::non_transactional}));
  CHECK(has_rule(last(concurrent), "non-transactional-statement"));
}

TEST_CASE("non-transactional statements are marked", "[sql]") {
  for (const char* sql :
       {"CREATE INDEX CONCURRENTLY i ON t (a);", "DROP INDEX CONCURRENTLY i;",
        "REINDEX TABLE CONCURRENTLY t;", "REINDEX SCHEMA app;", "VACUUM;", "VACUUM t;",
        "CREATE DATABASE x;", "DROP DATABASE x;", "ALTER SYSTEM SET work_mem = '64MB';", "CLUSTER;",
        "CREATE TABLESPACE ts LOCATION '/srv/ts';",
        "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;"}) {
    INFO(sql);
    CHECK(last(analyse_sql(sql)).effects.has(Effect::non_transactional));
  }
  for (const char* sql : {"ANALYZE t;", "CREATE INDEX i ON t (a);", "REINDEX TABLE t;",
                          "CLUSTER t;", "ALTER TABLE p DETACH PARTITION c;"}) {
    INFO(sql);
    CHECK_FALSE(last(analyse_sql(sql)).effects.has(Effect::non_transactional));
  }
}

TEST_CASE("maintenance statements are marked", "[sql]") {
  for (const char* sql :
       {"VACUUM t;", "ANALYZE t;", "REINDEX INDEX i;", "CLUSTER t USING i;", "CHECKPOINT;"}) {
    INFO(sql);
    CHECK(last(analyse_sql(sql)).effects.has(Effect::maintenance));
  }
}

TEST_CASE("CONCURRENTLY inside an explicit transaction is an error", "[sql]") {
  auto a = analyse_sql("BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;");
  REQUIRE(a.ok());
  CHECK(has_rule(a->statements[0], "transaction-nesting"));
  CHECK(has_rule(a->statements[1], "concurrently-in-transaction"));
  CHECK(has_rule(a->statements[2], "transaction-nesting"));
}

TEST_CASE("ALTER TABLE forms that scan or rewrite under a strong lock are reported", "[sql]") {
  struct Case {
    const char* sql;
    const char* rule;
  };
  for (const Case& c : {
           Case{"ALTER TABLE t ADD COLUMN c int NOT NULL;", "adding-not-nullable-field"},
           Case{"ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp();",
                "adding-field-with-volatile-default"},
           Case{"ALTER TABLE t ADD COLUMN c int DEFAULT my_func();",
                "adding-field-with-volatile-default"},
           Case{"ALTER TABLE t ADD COLUMN c bigserial;", "adding-serial-field"},
           Case{"ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS IDENTITY;", "table-rewrite"},
           Case{"ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id);",
                "adding-foreign-key-constraint"},
           Case{"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);", "constraint-missing-not-valid"},
           Case{"ALTER TABLE t ADD PRIMARY KEY (id);", "adding-unique-constraint"},
           Case{"ALTER TABLE t ADD COLUMN c int UNIQUE;", "adding-unique-constraint"},
           Case{"ALTER TABLE t ALTER COLUMN a SET NOT NULL;", "setting-not-null"},
           Case{"ALTER TABLE t SET LOGGED;", "table-rewrite"},
           Case{"VACUUM FULL t;", "vacuum-full"},
           Case{"CLUSTER t USING i;", "cluster-table"},
           Case{"REFRESH MATERIALIZED VIEW mv;", "refresh-materialized-view"},
           Case{"LOCK TABLE t IN EXCLUSIVE MODE;", "lock-table"},
       }) {
    INFO(c.sql);
    CHECK(has_rule(last(analyse_sql(c.sql)), c.rule));
  }
}

TEST_CASE("safe forms of the same changes are not reported", "[sql]") {
  struct Case {
    const char* sql;
    const char* rule;
  };
  for (const Case& c : {
           Case{"ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;", "adding-not-nullable-field"},
           Case{"ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();",
                "adding-field-with-volatile-default"},
           Case{"ALTER TABLE t ADD COLUMN c text DEFAULT 'x' || 'y';",
                "adding-field-with-volatile-default"},
           Case{"ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID;",
                "adding-foreign-key-constraint"},
           Case{"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
                "constraint-missing-not-valid"},
           Case{"ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY USING INDEX t_id_idx;",
                "adding-unique-constraint"},
           Case{"REFRESH MATERIALIZED VIEW CONCURRENTLY mv;", "refresh-materialized-view"},
           Case{"LOCK TABLE t IN ROW EXCLUSIVE MODE;", "lock-table"},
       }) {
    INFO(c.sql);
    CHECK_FALSE(has_rule(last(analyse_sql(c.sql)), c.rule));
  }
}

TEST_CASE("a blocking statement without timeouts set earlier asks for them once per file",
          "[sql]") {
  auto bare = analyse_sql("ALTER TABLE a ADD COLUMN c int;\nALTER TABLE b ADD COLUMN c int;");
  REQUIRE(bare.ok());
  CHECK(has_rule(bare->statements[0], "require-timeout-settings"));
  CHECK_FALSE(has_rule(bare->statements[1], "require-timeout-settings"));

  auto set = analyse_sql(
      "SET lock_timeout = '2s';\nSET statement_timeout = '10min';\nALTER TABLE a ADD COLUMN c "
      "int;");
  CHECK_FALSE(has_rule(*set, "require-timeout-settings"));

  auto zero = analyse_sql(
      "SET lock_timeout = 0;\nSET statement_timeout = 0;\nALTER TABLE a ADD COLUMN c int;");
  CHECK(has_rule(*zero, "require-timeout-settings"));

  auto via_function = analyse_sql(
      "SELECT set_config('lock_timeout', '2s', false), set_config('statement_timeout', '1min', "
      "false);\n"
      "ALTER TABLE a ADD COLUMN c int;");
  CHECK_FALSE(has_rule(*via_function, "require-timeout-settings"));
}

TEST_CASE("renames break clients of existing objects", "[sql]") {
  CHECK(has_rule(last(analyse_sql("ALTER TABLE t RENAME COLUMN a TO b;")), "renaming-column"));
  CHECK(has_rule(last(analyse_sql("ALTER TABLE t RENAME TO u;")), "renaming-table"));
  CHECK(has_rule(last(analyse_sql("ALTER VIEW v RENAME TO w;")), "renaming-object"));
  CHECK(last(analyse_sql("ALTER TABLE t RENAME TO u;")).effects.has(Effect::schema_break));
  auto fresh =
      analyse_sql("CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;\nCREATE INDEX ON u (a);");
  REQUIRE(fresh.ok());
  CHECK(fresh->statements[1].findings.empty());
  CHECK(fresh->statements[2].findings.empty());
}

TEST_CASE("dropping constraints, views and functions is a schema break", "[sql]") {
  for (const char* sql :
       {"ALTER TABLE t DROP CONSTRAINT c;", "DROP VIEW v;", "DROP FUNCTION f(int);",
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;", "DROP INDEX i;"}) {
    INFO(sql);
    CHECK(last(analyse_sql(sql)).effects.has(Effect::schema_break));
  }
}
