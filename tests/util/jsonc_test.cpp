#include <catch2/catch.hpp>

#include "safedb/util/duration.h"
#include "safedb/util/jsonc.h"

using namespace safedb;
using namespace safedb::util;

TEST_CASE("JSON with comments parses and knows the line of every key", "[util]") {
  auto doc = parse_jsonc(
      "{\n"
      "  // the targets\n"
      "  \"targets\": {\n"
      "    \"prod\": {\"dsn\": \"host=db\", /* inline */ \"environment\": \"production\"}\n"
      "  },\n"
      "  \"list\": [1,\n   2]\n"
      "}\n",
      "safedb.json");
  REQUIRE(doc.ok());
  CHECK(doc->value["targets"]["prod"]["dsn"] == "host=db");
  CHECK(doc->line_of("/targets") == 3);
  CHECK(doc->line_of("/targets/prod/environment") == 4);
  CHECK(doc->line_of("/list/1") == 7);
  CHECK(doc->line_of("/targets/prod/missing") == 4);
}

TEST_CASE("duplicate keys and syntax errors name the file, line and column", "[util]") {
  auto dup = parse_jsonc("{\n  \"a\": 1,\n  \"a\": 2\n}", "c.json");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().message() == "c.json:3:5: duplicate key \"a\"");
  auto broken = parse_jsonc("{\n  \"a\": 1,\n}", "c.json");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message().rfind("c.json:3:", 0) == 0);
  auto binary = parse_jsonc(std::string("\0\x01\x02", 3), "b.json");
  CHECK_FALSE(binary.ok());
}

TEST_CASE("JsonReader collects every problem with its line and key", "[util]") {
  auto doc = parse_jsonc(
      "{\n  \"lock_timout\": \"2s\",\n  \"retries\": \"three\",\n  \"wait\": \"5 minutes\"\n}",
      "s.json");
  REQUIRE(doc.ok());
  JsonReader r(*doc);
  r.object("", {"lock_timeout", "retries", "wait"});
  CHECK_FALSE(r.integer("/retries").has_value());
  CHECK_FALSE(r.duration("/wait").has_value());
  Status s = r.finish();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message() ==
        "s.json:2: lock_timout: unknown key (did you mean \"lock_timeout\"?)\n"
        "s.json:3: retries: expected a whole number, found a string\n"
        "s.json:4: wait: '5 minutes' is not a duration (a whole number and ms, s, m, h or d, e.g. "
        "30s)");
}

TEST_CASE("durations parse and print in their shortest exact form", "[util]") {
  CHECK(parse_duration("250ms")->count() == 250);
  CHECK(parse_duration("30s")->count() == 30'000);
  CHECK(parse_duration("15m")->count() == 900'000);
  CHECK(parse_duration("4h")->count() == 14'400'000);
  CHECK(parse_duration("7d")->count() == 604'800'000);
  for (const char* bad : {"", "s", "5", "-1s", "1.5h", "2 h", "3w", "99999999999999999d"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).ok());
  }
  CHECK(format_duration(Duration(7'200'000)) == "2h");
  CHECK(format_duration(Duration(1'500)) == "1500ms");
  CHECK(format_duration(Duration(0)) == "0s");
}
