#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "safedb/sql/rules.h"
#include "support/cli_runner.h"
#include "support/sql_helpers.h"

using namespace safedb;
using namespace safedb::sql;

TEST_CASE("every rule's bad example triggers it and its good example does not", "[sql][rules]") {
  for (const RuleInfo& rule : all_rules()) {
    INFO("rule " << rule.id);
    auto bad = test::analyse_sql(std::string(rule.bad));
    REQUIRE(bad.ok());
    CHECK(test::has_rule(*bad, std::string(rule.id)));
    auto good = test::analyse_sql(std::string(rule.good));
    REQUIRE(good.ok());
    CHECK_FALSE(test::has_rule(*good, std::string(rule.id)));
  }
}

TEST_CASE("rule ids are unique kebab-case and every rule is documented", "[sql][rules]") {
  std::set<std::string_view> seen;
  for (const RuleInfo& rule : all_rules()) {
    INFO("rule " << rule.id);
    CHECK(seen.insert(rule.id).second);
    CHECK(rule.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") ==
          std::string_view::npos);
    CHECK_FALSE(rule.summary.empty());
    CHECK_FALSE(rule.help.empty());
  }
  CHECK(all_rules().size() >= 50);
}

TEST_CASE("docs/rules.md is the output of `safedb rules --format markdown`", "[sql][rules][docs]") {
  std::ifstream in(std::string(SAFEDB_SOURCE_DIR) + "/docs/rules.md");
  std::stringstream doc;
  doc << in.rdbuf();
  auto generated = test::run_safedb({"rules", "--format", "markdown"});
  REQUIRE(generated.exit_code == 0);
  // Regenerate with: build/safedb rules --format markdown > docs/rules.md
  CHECK(doc.str() == generated.out);
}
