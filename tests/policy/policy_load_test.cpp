#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "safedb/policy/policy.h"
#include "support/temp_dir.h"

using namespace safedb;
using safedb::test::TempDir;

namespace {

// Every problem line of a failed load.
std::vector<std::string> problems_of(const Result<policy::PolicySet>& set) {
  REQUIRE_FALSE(set.ok());
  CHECK(set.error().code() == ExitCode::usage);
  std::vector<std::string> lines;
  const std::string& m = set.error().message();
  std::size_t start = 0;
  while (start <= m.size()) {
    std::size_t end = m.find('\n', start);
    if (end == std::string::npos) end = m.size();
    lines.push_back(m.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& expected) {
  for (const std::string& line : lines) {
    if (line.find(expected) != std::string::npos) return true;
  }
  return false;
}

const char* kValid = R"({
  "version": 1,
  "applies_to": {"environments": ["production"]},
  "rules": [{"id": "r", "when": {"effects": ["data-loss"]}, "require": {"max_rows": 10}}]
})";

}  // namespace

TEST_CASE("every problem of every file is reported with file, line and key", "[policy]") {
  TempDir dir;
  const std::string a = dir.write(
      "a.json",
      "{\n"
      "  \"version\": 2,\n"
      "  \"applies_to\": {\"environment\": [\"production\"]},\n"
      "  \"rules\": [\n"
      "    {\"id\": \"a\", \"when\": {\"effects\": [\"data_loss\"]}, \"require\": {\"dry_run\": "
      "{\"max_age\": \"4 hours\"}}},\n"
      "    {\"id\": \"a\", \"require\": {\"backup\": {\"verified\": \"yes\", \"max_age\": "
      "\"24h\"}}},\n"
      "    {\"id\": \"b\", \"when\": {\"objects\": [\"public.[abc\"], \"kinds\": "
      "[\"DropDbStmt\"]}, \"deny\": \"\"},\n"
      "    {\"id\": \"c\", \"when\": {\"rules\": [\"unbounded-delet\"]}},\n"
      "    {\"id\": \"d\", \"require\": {\"window\": {\"days\": [\"someday\"], \"from\": "
      "\"25:00\", \"to\": \"05:00\", \"tz\": \"Mars/Base\"}}},\n"
      "    {\"id\": \"e\", \"require\": {\"approvals\": {\"min\": 0, \"exclude\": [\"boss\"]}, "
      "\"snapshot\": {\"max_size\": \"2 GB\"}, \"max_rows\": 0, \"lock_timeout\": 2}},\n"
      "    {\"id\": \"f\", \"require\": {}, \"deny\": \"no\"},\n"
      "    {\"id\": \"g\", \"require\": {\"snapshot\": false, \"window\": {\"from\": \"02:00\", "
      "\"to\": \"02:00\"}}},\n"
      "    {\"id\": \"h\", \"when\": {\"objects\": [\"users\"]}, \"require\": {\"max_rows\": 5}},\n"
      "    {\"when\": {}, \"require\": {\"dry_run\": {}}}\n"
      "  ],\n"
      "  \"break_glass\": {\"allowed\": true},\n"
      "  \"extra\": 1\n"
      "}\n");
  const std::string b = dir.write("b.json", "{\n  \"version\": 1,\n  \"rules\": [,]\n}\n");
  const std::string c = dir.write("c.json", "{\"version\": 1, \"rules\": []}\n");
  dir.write("notes.txt", "not a policy\n");
  dir.write(".b.json.swp", "editor junk");

  auto lines = problems_of(policy::PolicySet::load(dir.path()));
  INFO(lines.size());
  for (const std::string& expected : {
           a + ":2: version: only version 1 is understood",
           a + ":3: applies_to.environment: unknown key (did you mean \"environments\"?)",
           a + ":3: applies_to: needs \"environments\" or \"targets\"",
           a + ":5: rules.0.when.effects.0: unknown effect \"data_loss\" (did you mean "
               "\"data-loss\"?)",
           a + ":5: rules.0.require.dry_run.max_age: '4 hours' is not a duration",
           a + ":6: rules.1.id: duplicate rule id \"a\" (first at line 5)",
           a + ":6: rules.1.require.backup.verified: expected true or false, found a string",
           a + ":7: rules.2.when.objects.0: bad pattern \"public.[abc\": '[' at position 8 is "
               "never closed",
           a + ":7: rules.2.when.kinds.0: unknown statement kind \"DropDbStmt\" (did you mean "
               "\"DropdbStmt\"?)",
           a + ":7: rules.2.deny: say why",
           a + ":8: rules.3: needs \"require\"",
           a + ":8: rules.3.when.rules.0: unknown rule \"unbounded-delet\" (did you mean "
               "\"unbounded-delete\"?)",
           a + ":9: rules.4.require.window.days.0: \"someday\" is not a day",
           a + ":9: rules.4.require.window.from: \"25:00\" is not a time of day",
           a + ":9: rules.4.require.window.tz: unknown time zone 'Mars/Base'",
           a + ":10: rules.5.require.approvals.min: must be between 1 and 100",
           a + ":10: rules.5.require.approvals.exclude.0: unknown \"boss\" (requester, executor)",
           a + ":10: rules.5.require.snapshot.max_size: '2 GB' is not a size",
           a + ":10: rules.5.require.max_rows: must be at least 1",
           a + ":10: rules.5.require.lock_timeout: expected a string, found a number",
           a + ":11: rules.6.deny: a rule either requires or denies",
           a + ":12: rules.7.require.snapshot: false requires nothing",
           a + ":12: rules.7.require.window.to: equals \"from\"",
           a + ":13: rules.8.when.objects.0: \"users\" never matches: objects are named "
               "schema.name (write \"*.users\" for any schema)",
           a + ":14: rules.9: needs an \"id\"",
           a + ":14: rules.9.when: matches nothing as written",
           a + ":14: rules.9.require.dry_run: needs \"max_age\"",
           a + ":16: break_glass: needs \"principals\"",
           a + ":17: extra: unknown key",
           b + ":3:",
           c + ":1: applies_to: missing",
           dir / "notes.txt" + ": not a policy file",
       }) {
    INFO(expected);
    CHECK(has_line(lines, expected));
  }
  CHECK_FALSE(has_line(lines, ".swp"));
  CHECK(lines.size() == 32);
}

TEST_CASE("a missing policies folder is an error naming it; an empty one requires nothing",
          "[policy]") {
  TempDir dir;
  auto missing = policy::PolicySet::load(dir / "nowhere");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code() == ExitCode::usage);
  CHECK(missing.error().message().find("policies folder '" + dir / "nowhere" +
                                       "' does not exist") != std::string::npos);

  auto file = policy::PolicySet::load(dir.write("file.json", kValid));
  REQUIRE_FALSE(file.ok());
  CHECK(file.error().message().find("is not a folder") != std::string::npos);

  TempDir empty;
  auto set = policy::PolicySet::load(empty.path());
  REQUIRE(set.ok());
  CHECK(set->files().empty());
}

TEST_CASE("files are read in name order", "[policy]") {
  TempDir dir;
  dir.write("b.json", kValid);
  dir.write("a.json", kValid);
  dir.write("10-first.json", kValid);
  auto set = policy::PolicySet::load(dir.path());
  REQUIRE(set.ok());
  REQUIRE(set->files().size() == 3);
  CHECK(set->files()[0].name == "10-first.json");
  CHECK(set->files()[1].name == "a.json");
  CHECK(set->files()[2].name == "b.json");
}

TEST_CASE("the digest changes when any byte, name or file changes", "[policy]") {
  TempDir dir;
  dir.write("a.json", kValid);
  auto digest = [&] {
    auto set = policy::PolicySet::load(dir.path());
    REQUIRE(set.ok());
    return set->digest_hex();
  };
  const std::string first = digest();
  CHECK(first.size() == 64);
  CHECK(digest() == first);

  // One byte of white space.
  std::string spaced = kValid;
  spaced += " ";
  dir.write("a.json", spaced);
  const std::string second = digest();
  CHECK(second != first);

  dir.write("a.json", kValid);
  CHECK(digest() == first);

  // Same bytes under another name.
  std::filesystem::rename(dir / "a.json", dir / "b.json");
  CHECK(digest() != first);
  std::filesystem::rename(dir / "b.json", dir / "a.json");

  // A file added.
  dir.write("z.json", R"({"version": 1, "applies_to": {"environments": ["qa"]}, "rules": []})");
  CHECK(digest() != first);

  TempDir empty;
  auto none = policy::PolicySet::load(empty.path());
  REQUIRE(none.ok());
  // SHA-256 of nothing.
  CHECK(none->digest_hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("with safedb.json's targets known, target names must be among them", "[policy]") {
  TempDir dir;
  const std::string path = dir.write("billing.json", R"({
    "version": 1,
    "applies_to": {"targets": ["biling"]},
    "rules": [{"id": "r", "require": {"dry_run": {"max_age": "1h", "on": "stagin"}}}]
  })");
  policy::LoadOptions options;
  options.targets = {{"billing", "production"}, {"staging", "staging"}};
  auto lines = problems_of(policy::PolicySet::load(dir.path(), options));
  CHECK(has_line(lines, path + ":3: applies_to.targets.0: unknown target \"biling\" (did you "
                               "mean \"billing\"?) (configured: billing, staging)"));
  CHECK(has_line(lines, path + ":4: rules.0.require.dry_run.on: unknown target \"stagin\""));
  // Without the configuration the names are taken as written.
  CHECK(policy::PolicySet::load(dir.path()).ok());
}
