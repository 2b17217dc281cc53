#include <catch2/catch.hpp>

#include "safedb/exec/plan.h"
#include "safedb/exec/target.h"
#include "support/sql_helpers.h"

using namespace safedb;
using namespace safedb::exec;

TEST_CASE("non-transactional statements run after the transaction, in file order", "[exec]") {
  auto a = test::analyse_sql(
      "CREATE INDEX CONCURRENTLY i ON t (a);\nUPDATE t SET a = 1 WHERE id = 1;\nVACUUM "
      "t;\nSAVEPOINT s;\nSELECT 1;");
  REQUIRE(a.ok());
  auto plan = plan_execution(*a, TransactionMode::single);
  REQUIRE(plan.ok());
  CHECK(plan->transactional == std::vector<int>{1, 3, 4});
  CHECK(plan->separate == std::vector<int>{0, 2});
}

TEST_CASE("meta-commands and transaction control are refused, all at once", "[exec]") {
  auto a = test::analyse_sql("BEGIN;\nDELETE FROM t WHERE id = 1;\n\\i x.sql\nCOMMIT;");
  REQUIRE(a.ok());
  auto plan = plan_execution(*a, TransactionMode::single);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().code() == ExitCode::usage);
  const std::string& m = plan.error().message();
  CHECK(m.find("test.sql:1: explicit transaction control") != std::string::npos);
  CHECK(m.find("test.sql:3: psql meta-command") != std::string::npos);
  CHECK(m.find("test.sql:4: explicit transaction control") != std::string::npos);
}

TEST_CASE("per-statement mode accepts the file's own transaction control", "[exec]") {
  auto a = test::analyse_sql("BEGIN;\nDELETE FROM t WHERE id = 1;\nCOMMIT;");
  REQUIRE(a.ok());
  auto plan = plan_execution(*a, TransactionMode::per_statement);
  REQUIRE(plan.ok());
  CHECK(plan->transactional.empty());
  CHECK(plan->separate == std::vector<int>{0, 1, 2});
}

TEST_CASE("targets resolve from the configuration or an ad-hoc DSN", "[exec]") {
  config::Config c;
  c.path = "safedb.json";
  c.targets["prod"] = {"prod", "host=db dbname=app", "production"};
  auto named = resolve_target(c, std::string("prod"), std::nullopt, std::nullopt);
  REQUIRE(named.ok());
  CHECK(named->environment == "production");
  CHECK_FALSE(named->ad_hoc);

  auto adhoc = resolve_target(c, std::nullopt, std::string("dbname=scratch"), std::nullopt);
  REQUIRE(adhoc.ok());
  CHECK(adhoc->environment == "production");  // fail closed without --env
  auto dev = resolve_target(c, std::nullopt, std::string(""), std::string("development"));
  REQUIRE(dev.ok());
  CHECK(dev->environment == "development");

  CHECK(resolve_target(c, std::string("nope"), std::nullopt, std::nullopt).error().message() ==
        "unknown target 'nope' (configured: prod)");
  CHECK_FALSE(resolve_target(c, std::string("prod"), std::string("x"), std::nullopt).ok());
  CHECK_FALSE(resolve_target(c, std::nullopt, std::nullopt, std::nullopt).ok());
  CHECK_FALSE(resolve_target(c, std::string("prod"), std::nullopt, std::string("dev")).ok());
  CHECK_FALSE(
      resolve_target(c, std::nullopt, std::string("host='unterminated"), std::nullopt).ok());
}
