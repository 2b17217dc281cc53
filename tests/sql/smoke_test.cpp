#include <catch2/catch.hpp>

#include "safedb/sql/analysis.h"

using namespace safedb::sql;

TEST_CASE("a DELETE without WHERE is parsed and classified", "[sql]") {
  auto source = Source::from_text("m.sql", "DELETE FROM messages;");
  REQUIRE(source.ok());
  auto analysis = analyse(*source);
  REQUIRE(analysis.ok());
  REQUIRE(analysis->statements.size() == 1);
  CHECK(analysis->statements[0].kind == "DeleteStmt");
  CHECK(analysis->statements[0].effects.has(Effect::data_loss));
}
