#include <catch2/catch.hpp>

#include "support/sql_helpers.h"

using namespace safedb;
using namespace safedb::sql;
using test::analyse_sql;
using test::has_rule;

TEST_CASE("a suppression with a reason marks the next statement's finding", "[sql]") {
  auto a = analyse_sql(
      "-- safedb:ignore ban-truncate staging table, reloaded nightly\nTRUNCATE staging;");
  REQUIRE(a.ok());
  const Finding& f = a->statements[0].findings.at(0);
  CHECK(f.rule == "ban-truncate");
  REQUIRE(f.suppressed_because.has_value());
  CHECK(*f.suppressed_because == "staging table, reloaded nightly");
}

TEST_CASE("a trailing suppression applies to the statement on its line", "[sql]") {
  auto a = analyse_sql(
      "DELETE FROM t; -- safedb:ignore unbounded-delete emptied on purpose\nDELETE FROM u;");
  REQUIRE(a.ok());
  CHECK(a->statements[0].findings.at(0).suppressed_because.has_value());
  CHECK_FALSE(a->statements[1].findings.at(0).suppressed_because.has_value());
}

TEST_CASE("a suppression covers only the rules it names", "[sql]") {
  auto a = analyse_sql(
      "/* safedb:ignore ban-truncate,truncate-cascade both wanted */\nTRUNCATE a CASCADE;\n"
      "-- safedb:ignore truncate-cascade only this one\nTRUNCATE b CASCADE;");
  REQUIRE(a.ok());
  for (const Finding& f : a->statements[0].findings) {
    INFO(f.rule);
    CHECK(f.suppressed_because.has_value() == (f.rule != "require-timeout-settings"));
  }
  for (const Finding& f : a->statements[1].findings) {
    INFO(f.rule);
    CHECK(f.suppressed_because.has_value() == (f.rule == "truncate-cascade"));
    if (f.rule == "ban-truncate") CHECK_FALSE(f.suppressed_because.has_value());
  }
}

TEST_CASE("a suppression without a reason is refused and reported", "[sql]") {
  auto a = analyse_sql("-- safedb:ignore ban-truncate\nTRUNCATE staging;");
  REQUIRE(a.ok());
  CHECK_FALSE(a->statements[0].findings.at(0).suppressed_because.has_value());
  REQUIRE(a->file_findings.size() == 1);
  CHECK(a->file_findings[0].rule == "suppression-without-reason");
  CHECK(a->file_findings[0].severity == Severity::error);
  CHECK(a->file_findings[0].position == Position{1, 1});
}

TEST_CASE("a suppression naming an unknown rule is reported", "[sql]") {
  auto a = analyse_sql("-- safedb:ignore no-such-rule because\nSELECT 1;");
  REQUIRE(a.ok());
  CHECK(has_rule(*a, "unknown-rule-in-suppression"));
}

TEST_CASE("a suppression inside a string is not a suppression", "[sql]") {
  auto a = analyse_sql("SELECT '-- safedb:ignore unbounded-delete x';\nDELETE FROM t;");
  REQUIRE(a.ok());
  CHECK_FALSE(a->statements[1].findings.at(0).suppressed_because.has_value());
}
