#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sql/file_tokens.h"
#include "sql/pg_api.h"

// libpg_query's own serialisation of node trees, every location included;
// the text is allocated in the current memory context.
extern "C" char* pg_query_nodes_to_json(const void* obj);

namespace {

using safedb::sql::pg::Arena;
using safedb::sql::pg::Parsed;
using safedb::sql::pg::raw_parse;
using safedb::sql::pg::SplitParse;

std::string tree_json(const List* statements) {
  char* json = pg_query_nodes_to_json(statements);
  std::string out(json);
  pfree(json);
  return out;
}

// The split parse must give exactly what raw_parse() of the whole text gives:
// the same trees with the same locations, or the same error at the same offset.
void check_same(const std::string& sql, const std::vector<std::size_t>& cuts) {
  Arena arena;
  const Parsed whole = raw_parse(sql);
  const SplitParse split(sql, cuts);
  const Parsed& parsed = split.parsed();
  CAPTURE(sql);
  REQUIRE(parsed.error.has_value() == whole.error.has_value());
  if (whole.error) {
    CHECK(parsed.error->message == whole.error->message);
    CHECK(parsed.error->offset == whole.error->offset);
  } else {
    CHECK(tree_json(parsed.statements) == tree_json(whole.statements));
  }
}

// Offsets just past each `;` token, as the analyser finds them.
std::vector<std::size_t> all_cuts(const std::string& sql, std::size_t parts) {
  return safedb::sql::FileTokens(sql).cuts(parts);
}

}  // namespace

TEST_CASE("a file parsed in parts gives the trees of the whole parse", "[sql]") {
  const std::string sql =
      "-- leading comment\n"
      "SET lock_timeout = '5s';\n"
      "DELETE FROM messages WHERE id = 1;  -- trailing\n"
      "/* a ; in a comment */ UPDATE t SET a = 'x;y' WHERE b = $$;$$;\n"
      ";;\n"
      "CREATE TABLE u (id int PRIMARY KEY, note text DEFAULT E'\\';');\n"
      "SELECT f(1, 2) FROM u WHERE note LIKE '%;%'\n";
  // Every cut after a `;` token, alone and in pairs.
  const std::vector<std::size_t> cuts = all_cuts(sql, 64);
  REQUIRE(cuts.size() >= 5);
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    check_same(sql, {cuts[i]});
    for (std::size_t j = i + 1; j < cuts.size(); ++j)
      check_same(sql, {cuts[i], cuts[j]});
  }
  check_same(sql, cuts);
}

TEST_CASE("a parse in parts falls back to the whole parse where a cut ends no statement", "[sql]") {
  // The `;` between the actions of a rule is a token but ends no statement.
  const std::string rule =
      "CREATE TABLE log (id int);\n"
      "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); "
      "INSERT INTO log VALUES (2));\n"
      "DROP TABLE old_log;\n";
  for (std::size_t cut : all_cuts(rule, 64))
    check_same(rule, {cut});

  // An error in a later part is reported as the whole parse reports it.
  const std::string broken = "SELECT 1;\nSELECT 2;\nSELEC 3;\nSELECT 4;\n";
  for (std::size_t cut : all_cuts(broken, 64))
    check_same(broken, {cut});
  check_same(broken, all_cuts(broken, 64));
}

TEST_CASE("cuts fall just past `;` tokens near equal shares of the text", "[sql]") {
  std::string sql;
  for (int i = 0; i < 100; ++i)
    sql += "SELECT 'a;b' AS x;\n";
  const std::vector<std::size_t> cuts = all_cuts(sql, 4);
  REQUIRE(cuts.size() == 3);
  for (std::size_t k = 0; k < cuts.size(); ++k) {
    CHECK(sql[cuts[k] - 1] == ';');
    CHECK(sql[cuts[k]] == '\n');
    const std::size_t target = sql.size() / 4 * (k + 1);
    CHECK(cuts[k] > target);
    CHECK(cuts[k] <= target + 20);
  }
  CHECK(all_cuts(sql, 1).empty());
  CHECK(all_cuts("SELECT 1", 4).empty());  // no `;`: one part
  check_same(sql, cuts);
}
