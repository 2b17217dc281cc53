#include <catch2/catch.hpp>

#include "support/sql_helpers.h"

using namespace safedb;
using namespace safedb::sql;
using test::analyse_sql;

namespace {

Statement single(const std::string& sql) {
  auto a = analyse_sql(sql);
  REQUIRE(a.ok());
  REQUIRE(a->statements.size() == 1);
  return a->statements[0];
}

Destruction one_destruction(const std::string& sql) {
  Statement st = single(sql);
  INFO(sql << " unsnapshottable: " << st.unsnapshottable);
  REQUIRE(st.unsnapshottable.empty());
  REQUIRE(st.destroys.size() == 1);
  return st.destroys[0];
}

}  // namespace

TEST_CASE("a self-contained WHERE clause is kept for the snapshot of the touched rows", "[sql]") {
  Destruction d = one_destruction(
      "DELETE FROM app.messages AS m\n  WHERE (m.created_at < now() - interval '30 days') -- old\n"
      "  RETURNING m.id;");
  CHECK(d.kind == Destruction::Kind::rows);
  CHECK(d.relation == "\"app\".\"messages\"");
  CHECK(d.alias == "\"m\"");
  CHECK_FALSE(d.only);
  CHECK(d.where == "(m.created_at < now() - interval '30 days') -- old");
  CHECK(d.whole_because.empty());

  Destruction u = one_destruction("update ONLY \"Mixed\" set v = 'x' where id between 1 and 1000");
  CHECK(u.relation == "\"Mixed\"");
  CHECK(u.only);
  CHECK(u.where == "id between 1 and 1000");

  Destruction s = one_destruction("DELETE FROM t WHERE note = 'where returning';");
  CHECK(s.where == "note = 'where returning'");
  CHECK(s.updated_columns.empty());

  Destruction set = one_destruction("UPDATE t SET \"Key\" = 1, (a, b) = (2, 3) WHERE id = 1");
  CHECK(set.updated_columns == std::vector<std::string>{"Key", "a", "b"});
}

TEST_CASE("a predicate tied to the transaction's time or role is not read on another session",
          "[sql]") {
  // Same in any session with the same settings and snapshot.
  for (const char* sql : {
           "DELETE FROM t WHERE mailbox >= 0",
           "DELETE FROM t WHERE lower(sender) = 'x' AND id BETWEEN 1 AND 10",
           "UPDATE t SET v = 1 WHERE sent < '2026-01-01 10:00'::timestamptz",
           "DELETE FROM t WHERE status = 'unknown' OR status IS NULL",
           "DELETE FROM t WHERE abs(v) > 5 AND note LIKE 'a%'",
       }) {
    INFO(sql);
    Destruction d = one_destruction(sql);
    REQUIRE_FALSE(d.where.empty());
    CHECK(d.where_in_any_session);
  }
  // Another session would evaluate these at another time, or as another role.
  for (const char* sql : {
           "DELETE FROM t WHERE sent < now() - interval '30 days'",
           "DELETE FROM t WHERE sent < CURRENT_TIMESTAMP", "DELETE FROM t WHERE day = current_date",
           "DELETE FROM t WHERE owner = CURRENT_USER", "DELETE FROM t WHERE sent < 'now'",
           "DELETE FROM t WHERE day < date 'Today'",
           "DELETE FROM t WHERE sent < 'yesterday 10:00'::timestamptz",
           "DELETE FROM t WHERE to_char(sent, 'YYYY') = '2026'",  // stable: not immutable
       }) {
    INFO(sql);
    Destruction d = one_destruction(sql);
    REQUIRE_FALSE(d.where.empty());
    CHECK_FALSE(d.where_in_any_session);
  }
}

TEST_CASE("the whole table is saved when the touched rows cannot be selected again exactly",
          "[sql]") {
  struct Case {
    const char* sql;
    const char* because;
  } cases[] = {
      {"DELETE FROM t", "no WHERE clause"},
      {"UPDATE t SET v = 1", "no WHERE clause"},
      {"DELETE FROM t USING u WHERE t.id = u.id", "the statement joins other tables"},
      {"UPDATE t SET v = u.v FROM u WHERE t.id = u.id", "the statement joins other tables"},
      {"DELETE FROM t WHERE id IN (SELECT id FROM u)", "the WHERE clause has a sub-query"},
      {"DELETE FROM t WHERE random() < 0.5",
       "the WHERE clause calls a volatile or unknown function"},
      {"DELETE FROM t WHERE my_check(id)", "the WHERE clause calls a volatile or unknown function"},
      {"WITH x AS (SELECT 1) DELETE FROM t WHERE id = 1", "the statement has a WITH clause"},
      {"MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE", "MERGE"},
      {"INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET v = excluded.v",
       "INSERT ... ON CONFLICT DO UPDATE"},
  };
  for (const Case& c : cases) {
    INFO(c.sql);
    Destruction d = one_destruction(c.sql);
    CHECK(d.kind == Destruction::Kind::rows);
    CHECK(d.where.empty());
    CHECK(d.whole_because == c.because);
  }
}

TEST_CASE("dropped and truncated tables columns and schemas are named for snapshots", "[sql]") {
  Statement drop = single("DROP TABLE IF EXISTS a, s.b CASCADE");
  REQUIRE(drop.destroys.size() == 2);
  CHECK(drop.destroys[0].kind == Destruction::Kind::table);
  CHECK(drop.destroys[0].relation == "\"a\"");
  CHECK(drop.destroys[1].relation == "\"s\".\"b\"");
  CHECK(drop.destroys[1].cascade);

  Statement truncate = single("TRUNCATE ONLY a, b");
  REQUIRE(truncate.destroys.size() == 2);
  CHECK(truncate.destroys[0].only);
  CHECK_FALSE(truncate.destroys[0].cascade);

  Statement column = single("ALTER TABLE t DROP COLUMN \"Body\", ALTER COLUMN n TYPE bigint");
  REQUIRE(column.destroys.size() == 2);
  CHECK(column.destroys[0].kind == Destruction::Kind::column);
  CHECK(column.destroys[0].column == "Body");
  CHECK(column.destroys[1].column == "n");

  Statement schema = single("DROP SCHEMA archive CASCADE");
  REQUIRE(schema.destroys.size() == 1);
  CHECK(schema.destroys[0].kind == Destruction::Kind::schema);
  CHECK(schema.destroys[0].relation == "\"archive\"");

  Statement views = single("DROP VIEW IF EXISTS rep.\"Top\", cheap CASCADE");
  REQUIRE(views.destroys.size() == 2);
  CHECK(views.destroys[0].kind == Destruction::Kind::view);
  CHECK(views.destroys[0].relation == "\"rep\".\"Top\"");
  CHECK(views.destroys[1].relation == "\"cheap\"");
  CHECK(views.effects.has(Effect::data_loss));  // CASCADE may take columns of its row type

  Statement sequences = single("DROP SEQUENCE IF EXISTS billing.\"Invoice\", seq CASCADE");
  REQUIRE(sequences.destroys.size() == 2);
  CHECK(sequences.destroys[0].kind == Destruction::Kind::sequence);
  CHECK(sequences.destroys[0].relation == "\"billing\".\"Invoice\"");
  CHECK(sequences.destroys[1].cascade);
  CHECK(sequences.unsnapshottable.empty());
  CHECK(sequences.effects.has(Effect::data_loss));

  // Restarting drops nothing, but may hand out values in use again.
  Statement restarted = single("ALTER SEQUENCE billing.\"Invoice\" RESTART WITH 1");
  REQUIRE(restarted.destroys.size() == 1);
  CHECK(restarted.destroys[0].kind == Destruction::Kind::sequence_value);
  CHECK(restarted.destroys[0].relation == "\"billing\".\"Invoice\"");
  CHECK(restarted.unsnapshottable.empty());
  CHECK(single("ALTER SEQUENCE seq INCREMENT BY 2").destroys.empty());
  Statement identity = single("ALTER TABLE app.users ALTER COLUMN id RESTART");
  REQUIRE(identity.destroys.size() == 1);
  CHECK(identity.destroys[0].kind == Destruction::Kind::sequence_value);
  CHECK(identity.destroys[0].relation == "\"app\".\"users\"");
  CHECK(identity.destroys[0].column == "id");
  // setval() in a SELECT: each sequence once, by its literal name (read by
  // the server as the call reads it) or by its column.
  Statement moved = single(
      "SELECT pg_catalog.setval('app.\"Seq\"'::regclass, 5, true), setval('app.\"Seq\"', 6),"
      " setval(pg_get_serial_sequence('orders', 'Id'), coalesce(max(id), 1)) FROM orders");
  REQUIRE(moved.destroys.size() == 2);
  CHECK(moved.destroys[0].kind == Destruction::Kind::sequence_value);
  CHECK(moved.destroys[0].relation == "app.\"Seq\"");
  CHECK(moved.destroys[0].column.empty());
  CHECK(moved.destroys[1].relation == "orders");
  CHECK(moved.destroys[1].column == "Id");
  CHECK(moved.unsnapshottable.empty());

  Statement functions =
      single("DROP FUNCTION util.twice(integer, text[], \"My Type\"), \"Odd\" CASCADE");
  REQUIRE(functions.destroys.size() == 2);
  CHECK(functions.destroys[0].kind == Destruction::Kind::function);
  CHECK(functions.destroys[0].relation ==
        "\"util\".\"twice\"(\"pg_catalog\".\"int4\", \"text\"[], \"My Type\")");
  CHECK(functions.destroys[1].relation == "\"Odd\"");  // no argument list: a unique name
  CHECK(functions.effects.has(Effect::data_loss));
  CHECK_FALSE(functions.destroys[0].routine);
  // Procedures and routines are found and saved as functions are.
  Statement routines = single("DROP PROCEDURE app.tidy(int) CASCADE");
  REQUIRE(routines.destroys.size() == 1);
  CHECK(routines.destroys[0].kind == Destruction::Kind::function);
  CHECK(routines.destroys[0].relation == "\"app\".\"tidy\"(\"pg_catalog\".\"int4\")");
  CHECK(routines.destroys[0].routine);
  CHECK(single("DROP ROUTINE f CASCADE").destroys.at(0).routine);
  Statement aggregate = single("DROP AGGREGATE app.pct(float8 ORDER BY float8), cnt(*) CASCADE");
  REQUIRE(aggregate.destroys.size() == 2);
  CHECK(aggregate.destroys[0].kind == Destruction::Kind::function);
  // Direct and aggregated arguments, as to_regprocedure() reads them.
  CHECK(aggregate.destroys[0].relation == "\"app\".\"pct\"(\"float8\", \"float8\")");
  CHECK(aggregate.destroys[1].relation == "\"cnt\"()");
  CHECK_FALSE(aggregate.destroys[0].routine);
  Statement typed = single("DROP FUNCTION f(t.c%TYPE) CASCADE");
  CHECK(typed.destroys.empty());
  CHECK(typed.unsnapshottable.find("%TYPE") != std::string::npos);
}

TEST_CASE("data loss that snapshots cannot capture says why", "[sql]") {
  for (const char* sql : {"DROP DATABASE app", "DROP OPERATOR === (int, int) CASCADE",
                          "DO $$ BEGIN DELETE FROM t; END $$",
                          "WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone",
                          "WITH gone AS (DELETE FROM u RETURNING *) DELETE FROM t WHERE id = 1",
                          "ALTER TABLE t DROP CONSTRAINT t_pkey CASCADE", "SELECT lo_unlink(42)",
                          "SELECT setval(name, 1) FROM seqs", "SELECT setval('s', 1), lo_unlink(4)",
                          "SELECT setval('s', 1), app.cleanup()",
                          "SELECT setval('s', 1) FROM (SELECT cleanup()) c"}) {
    INFO(sql);
    Statement st = single(sql);
    REQUIRE(st.effects.has(Effect::data_loss));
    CHECK(st.destroys.empty());
    CHECK_FALSE(st.unsnapshottable.empty());
  }
  CHECK(single("SELECT 1").unsnapshottable.empty());
  CHECK(single("SELECT 1").destroys.empty());
}
