#include <catch2/catch.hpp>

#include "support/sql_helpers.h"

using namespace safedb;
using namespace safedb::sql;
using test::analyse_sql;
using test::has_rule;

TEST_CASE("destructive words in comments, strings and dollar quotes trigger nothing", "[sql]") {
  auto a = analyse_sql(
      "-- DELETE FROM messages;\n"
      "/* DROP TABLE users; /* nested TRUNCATE t; */ */\n"
      "SELECT 'DELETE FROM messages' AS a, E'DROP TABLE x\\'' AS b, $x$ TRUNCATE t $x$ AS c,\n"
      "       $$ UPDATE t SET a = 1 $$ AS d, \"DROP TABLE\" FROM t;\n"
      "COMMENT ON TABLE t IS 'DROP TABLE t';\n");
  REQUIRE(a.ok());
  REQUIRE(a->statements.size() == 2);
  for (const Statement& st : a->statements) {
    CHECK(st.effects.empty());
    CHECK(st.findings.empty());
  }
}

TEST_CASE("statements start at their first token, after comments and white space", "[sql]") {
  auto a = analyse_sql("  -- first\n\n  /* c */ SELECT 1;\n\tSELECT 2");
  REQUIRE(a.ok());
  REQUIRE(a->statements.size() == 2);
  CHECK(a->statements[0].position == Position{3, 11});
  CHECK(a->statements[0].offset == 22);
  CHECK(a->statements[0].length == 8);
  CHECK(a->statements[1].position == Position{4, 2});
  CHECK(a->statements[1].length == 8);
}

TEST_CASE("columns count characters, not bytes", "[sql]") {
  auto a = analyse_sql("SELECT 'ünïcødé';  DELETE FROM t;");
  REQUIRE(a.ok());
  CHECK(a->statements[1].position == Position{1, 20});
}

TEST_CASE("PostgreSQL 16/17 syntax parses", "[sql]") {
  for (const char* sql :
       {"SELECT * FROM (SELECT 1);",
        "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (a int PATH '$')) jt;",
        "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING merge_action();",
        "SELECT JSON_OBJECT('a' VALUE 1);"}) {
    INFO(sql);
    CHECK(analyse_sql(sql).ok());
  }
}

TEST_CASE("psql meta-commands are opaque statements of their own", "[sql]") {
  auto source = Source::from_text(
      "m.sql", "SELECT 1;\n\\i other.sql\n\\c otherdb\nSELECT 2 \\gset\nSELECT 3;");
  REQUIRE(source.ok());
  auto a = analyse(*source);
  REQUIRE(a.ok());
  REQUIRE(a->statements.size() == 6);
  CHECK(a->statements[1].kind == "PsqlMetaCommand");
  CHECK(a->statements[1].text(*source) == "\\i other.sql");
  CHECK(a->statements[3].text(*source) == "SELECT 2");
  CHECK(a->statements[1].position == Position{2, 1});
  CHECK(a->statements[1].effects == (EffectSet{Effect::opaque}));
  CHECK(has_rule(a->statements[1], "psql-meta-command"));
  CHECK(a->statements[2].kind == "PsqlMetaCommand");
  CHECK(a->statements[3].kind == "SelectStmt");
  CHECK(a->statements[4].kind == "PsqlMetaCommand");
  CHECK(a->statements[4].position == Position{4, 10});
  CHECK(a->statements[5].kind == "SelectStmt");
}

TEST_CASE("a large file is analysed the same whether or not it holds meta-commands", "[sql]") {
  // A meta-command found by the lexer is blanked out before the parse.
  std::string body;
  for (int i = 0; body.size() < 300 * 1024; ++i)
    body += "UPDATE accounts SET n = n + 1 WHERE id = " + std::to_string(i) + ";\n";
  const std::string tail =
      "-- safedb:ignore unbounded-delete emptied on purpose\nDELETE FROM staging;\n";
  const std::string plain = body + tail;
  const std::string with_meta = body + "\\set ON_ERROR_STOP on\n" + tail;
  auto a = analyse_sql(plain);
  auto b = analyse_sql(with_meta);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(b->statements.size() == a->statements.size() + 1);
  const Statement& meta = b->statements[b->statements.size() - 2];
  CHECK(meta.kind == "PsqlMetaCommand");
  for (const auto* analysis : {&*a, &*b}) {
    const Statement& last = analysis->statements.back();
    CHECK(last.kind == "DeleteStmt");
    REQUIRE(last.findings.size() == 1);
    CHECK(last.findings[0].suppressed_because == "emptied on purpose");
  }
  CHECK(a->statements.front().kind == "UpdateStmt");
}

TEST_CASE("a backslash inside a string is not a meta-command", "[sql]") {
  auto a = analyse_sql("SELECT '\\i not a command', E'\\\\c';");
  REQUIRE(a.ok());
  REQUIRE(a->statements.size() == 1);
  CHECK(a->statements[0].effects.empty());
}

TEST_CASE("a syntax error names the file, line and column", "[sql]") {
  auto a = analyse_sql("SELECT 1;\nDELETE FRM t;");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().code() == ExitCode::usage);
  CHECK(a.error().message() == "test.sql:2:8: parse error: syntax error at or near \"FRM\"");
}

TEST_CASE("files that are not SQL text are rejected with their position", "[sql]") {
  auto empty = Source::from_text("e.sql", "");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message() == "e.sql: file is empty");
  auto blank = Source::from_text("b.sql", " \n\t\n");
  REQUIRE_FALSE(blank.ok());
  auto binary = Source::from_text("x.sql", std::string("SELECT 1;\nab\0cd", 15));
  REQUIRE_FALSE(binary.ok());
  CHECK(binary.error().message() == "x.sql:2:3: binary file (NUL byte); expected SQL text");
  auto latin1 = Source::from_text("l.sql", "SELECT 'caf\xe9';");
  REQUIRE_FALSE(latin1.ok());
  CHECK(latin1.error().message() ==
        "l.sql:1:12: invalid UTF-8 (byte 0xe9); SQL files must be UTF-8");
  auto overlong = Source::from_text("o.sql", "SELECT '\xc0\xaf';");
  CHECK_FALSE(overlong.ok());
  auto surrogate = Source::from_text("s.sql", "SELECT '\xed\xa0\x80';");
  CHECK_FALSE(surrogate.ok());
}

TEST_CASE("a file of only comments has no statements and is rejected", "[sql]") {
  auto a = analyse_sql("-- nothing to do\n/* really */\n");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().message() == "test.sql: contains no SQL statements (only comments)");
}

TEST_CASE("a missing file and a directory are rejected with a reason", "[sql]") {
  auto missing = Source::load("/nonexistent/m.sql");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message() == "/nonexistent/m.sql: cannot read: No such file or directory");
  auto dir = Source::load("/tmp");
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.error().message() == "/tmp: is a directory, not a SQL file");
}

TEST_CASE("a statement's text stops before trailing comments and white space", "[sql]") {
  auto source =
      Source::from_text("t.sql", "SELECT 1 /* c */ -- d\n;\n-- x\nSELECT 'a -- b' -- tail");
  REQUIRE(source.ok());
  auto a = analyse(*source);
  REQUIRE(a.ok());
  REQUIRE(a->statements.size() == 2);
  CHECK(a->statements[0].text(*source) == "SELECT 1");
  CHECK(a->statements[1].text(*source) == "SELECT 'a -- b'");
}
