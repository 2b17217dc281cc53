#include <catch2/catch.hpp>

#include <string>

#include "safedb/policy/policy.h"
#include "safedb/util/utc_time.h"
#include "support/temp_dir.h"

using namespace safedb;
using safedb::test::TempDir;

namespace {

std::string file(const std::string& applies_to, const std::string& rules,
                 const std::string& extra = "") {
  return "{\n  \"version\": 1,\n  \"applies_to\": " + applies_to + ",\n  \"rules\": [\n    " +
         rules + "\n  ]" + (extra.empty() ? "" : ",\n  " + extra) + "\n}\n";
}

std::string window_rule(const std::string& id, const std::string& window) {
  return R"({"id": ")" + id + R"(", "when": {"effects": ["blocking"]}, "require": {"window": )" +
         window + "}}";
}

policy::LoadOptions at_2026() {
  policy::LoadOptions options;
  options.now = static_cast<std::time_t>(*util::parse_utc("2026-01-01T00:00:00Z"));
  return options;
}

}  // namespace

TEST_CASE("windows of overlapping files that are never open together conflict", "[policy]") {
  TempDir dir;
  const std::string prod = dir.write(
      "production.json",
      file(R"({"environments": ["production"]})",
           window_rule("weekend", R"({"days": ["sat", "sun"], "from": "02:00", "to": "05:00"})")));
  const std::string team = dir.write(
      "team.json",
      file(R"({"environments": ["production", "staging"]})",
           window_rule("weeknights", R"({"days": ["mon-thu"], "from": "22:00", "to": "04:00"})")));
  auto set = policy::PolicySet::load(dir.path(), at_2026());
  REQUIRE_FALSE(set.ok());
  const std::string& m = set.error().message();
  INFO(m);
  CHECK(m == team +
                 ":5: rules.0.require.window: mon-thu 22:00\u201304:00 UTC is never open while "
                 "sat,sun 02:00\u201305:00 UTC (" +
                 prod +
                 ":5) is; both apply to environment production, so a file that needs both "
                 "could never run");

  // The same two windows for different environments do not meet.
  dir.write("team.json", file(R"({"environments": ["staging"]})",
                              window_rule("weeknights", R"({"days": ["mon-fri"], "from": "22:00",
                                  "to": "04:00"})")));
  CHECK(policy::PolicySet::load(dir.path(), at_2026()).ok());
}

TEST_CASE("windows in different zones conflict only if they never overlap", "[policy]") {
  TempDir dir;
  // Saturday 02:00-03:00 UTC and Friday 21:00-22:30 New York: they overlap for
  // the half hour 02:00-02:30 UTC while New York is on summer time (UTC-4).
  dir.write("a.json", file(R"({"environments": ["production"]})",
                           window_rule("utc", R"({"days": ["sat"], "from": "02:00",
                               "to": "03:00"})")));
  dir.write("b.json", file(R"({"environments": ["production"]})",
                           window_rule("ny", R"({"days": ["fri"], "from": "21:00",
                               "to": "22:30", "tz": "America/New_York"})")));
  CHECK(policy::PolicySet::load(dir.path(), at_2026()).ok());

  // Saturday 02:00-05:00 UTC and Saturday 02:00-05:00 in Kolkata (Friday
  // 20:30-23:30 UTC) are never open together.
  dir.write("b.json", file(R"({"environments": ["production"]})",
                           window_rule("ist", R"({"days": ["sat"], "from": "02:00",
                               "to": "05:00", "tz": "Asia/Kolkata"})")));
  auto set = policy::PolicySet::load(dir.path(), at_2026());
  REQUIRE_FALSE(set.ok());
  CHECK(set.error().message().find("sat 02:00\u201305:00 Asia/Kolkata is never open while sat "
                                   "02:00\u201303:00 UTC") != std::string::npos);
}

TEST_CASE("three windows that overlap in pairs but never all together conflict", "[policy]") {
  TempDir dir;
  const std::string path = dir.write(
      "p.json", file(R"({"environments": ["production"]})",
                     window_rule("a", R"({"from": "01:00", "to": "03:00"})") + ",\n    " +
                         window_rule("b", R"({"from": "02:00", "to": "04:00"})") + ",\n    " +
                         window_rule("c", R"({"from": "03:00", "to": "05:00"})")));
  // a and c never overlap; report that pair.
  auto set = policy::PolicySet::load(dir.path(), at_2026());
  REQUIRE_FALSE(set.ok());
  CHECK(set.error().message().find(path + ":7: rules.2.require.window: daily 03:00") == 0);

  dir.write("p.json", file(R"({"environments": ["production"]})",
                           window_rule("a", R"({"from": "01:00", "to": "03:00"})") + ",\n    " +
                               window_rule("b", R"([{"from": "02:00", "to": "02:30"},
                                          {"from": "03:30", "to": "04:00"}])") +
                               ",\n    " + window_rule("c", R"([{"from": "02:45", "to": "05:00"},
                                          {"from": "00:00", "to": "02:15"}])")));
  // a-b meet at 02:00-02:30, b-c at 02:00-02:15 and 03:30-04:00, a-c at
  // 01:00-02:15 and 02:45-03:00; all three at 02:00-02:15.
  CHECK(policy::PolicySet::load(dir.path(), at_2026()).ok());
  dir.write("p.json", file(R"({"environments": ["production"]})",
                           window_rule("a", R"({"from": "01:00", "to": "03:00"})") + ",\n    " +
                               window_rule("b", R"([{"from": "02:00", "to": "02:30"},
                                          {"from": "03:30", "to": "04:00"}])") +
                               ",\n    " + window_rule("c", R"([{"from": "02:45", "to": "05:00"},
                                          {"from": "00:00", "to": "01:30"}])")));
  set = policy::PolicySet::load(dir.path(), at_2026());
  REQUIRE_FALSE(set.ok());
  CHECK(set.error().message().find("are all open") != std::string::npos);
}

TEST_CASE("break-glass allowed by one file and forbidden by another conflicts", "[policy]") {
  TempDir dir;
  const std::string a =
      dir.write("a.json", file(R"({"environments": ["production"]})", "",
                               R"("break_glass": {"allowed": true, "principals": ["oncall@x"]})"));
  const std::string b = dir.write("b.json", file(R"({"environments": ["production"]})", "",
                                                 R"("break_glass": {"allowed": false})"));
  auto set = policy::PolicySet::load(dir.path());
  REQUIRE_FALSE(set.ok());
  CHECK(set.error().message() == b + ":7: break_glass: forbids break-glass, but " + a +
                                     ":7 allows it; both apply to environment production: "
                                     "decide in one place");

  // Allowed twice for people no one can be at once.
  dir.write("b.json", file(R"({"environments": ["*"]})", "",
                           R"("break_glass": {"allowed": true, "principals": ["sre-*"]})"));
  set = policy::PolicySet::load(dir.path());
  REQUIRE_FALSE(set.ok());
  CHECK(set.error().message().find("break_glass: no principal can match both sre-* and "
                                   "oncall@x") != std::string::npos);
}

TEST_CASE("approval principals no one can match together conflict", "[policy]") {
  TempDir dir;
  dir.write("a.json", file(R"({"environments": ["production"]})",
                           R"({"id": "dba", "when": {"effects": ["data-loss"]},
                     "require": {"approvals": {"min": 1, "principals": ["*@dba.example.org"]}}})"));
  const std::string b =
      dir.write("b.json", file(R"({"targets": ["billing"]})",
                               R"({"id": "sec", "when": {"effects": ["privilege"]},
                     "require": {"approvals": {"min": 1, "principals": ["*@sec.example.org"]}}})"));
  // A target's environment is unknown without safedb.json: billing may be production.
  auto set = policy::PolicySet::load(dir.path());
  REQUIRE_FALSE(set.ok());
  INFO(set.error().message());
  CHECK(set.error().message().find(
            b + ":6: rules.0.require.approvals.principals: no principal can match both "
                "*@sec.example.org and *@dba.example.org") == 0);
  CHECK(set.error().message().find("target billing in environment production") !=
        std::string::npos);

  // Knowing that billing is a staging target, the two never meet.
  policy::LoadOptions options;
  options.targets = std::map<std::string, std::string>{{"billing", "staging"}};
  CHECK(policy::PolicySet::load(dir.path(), options).ok());
  options.targets = std::map<std::string, std::string>{{"billing", "production"}};
  CHECK_FALSE(policy::PolicySet::load(dir.path(), options).ok());

  // Patterns someone can match together are fine.
  dir.write("b.json", file(R"({"targets": ["billing"]})",
                           R"({"id": "sec", "when": {"effects": ["privilege"]},
                     "require": {"approvals": {"min": 1, "principals": ["ana@*", "bo@*"]}}})"));
  CHECK(policy::PolicySet::load(dir.path()).ok());
}
