#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "support/cli_runner.h"

using nlohmann::json;
using safedb::test::run_safedb;
using safedb::test::TempDir;

namespace {

const std::string kShipped = std::string(SAFEDB_SOURCE_DIR) + "/policies";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("policy lint accepts the shipped policies and prints their digest", "[policy]") {
  auto r = run_safedb({"policy", "lint", "--policies", kShipped});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(contains(r.out, kShipped + ": 3 files, "));
  CHECK(contains(r.out, ", sha256 "));
  CHECK(contains(r.out,
                 "  production.json: production; 7 rules, break-glass for "
                 "oncall-*@example.org\n"));
  CHECK(contains(r.out, "  development.json: development; 0 rules\n"));
}

TEST_CASE("policy lint reports every problem of every file and exits 2", "[policy]") {
  TempDir dir;
  const std::string a = dir.write("policies/a.json", R"({
  "version": 1,
  "applies_to": {"environments": ["production"]},
  "rules": [{"id": "x", "when": {"effects": ["dataloss"]}, "require": {"lock_timeout": "2 s"}}]
})");
  const std::string b =
      dir.write("policies/b.json", R"({"version": 1, "applies_to": {"targets": []}, "rules": []})");
  auto r = run_safedb({"policy", "lint", "--policies", dir / "policies"});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "safedb: error: " + a +
                            ":4: rules.0.when.effects.0: unknown effect \"dataloss\" (did you mean "
                            "\"data-loss\"?)"));
  CHECK(contains(r.err, "safedb: error: " + a +
                            ":4: rules.0.require.lock_timeout: '2 s' is not "
                            "a duration"));
  CHECK(contains(r.err, "safedb: error: " + b + ":1: applies_to.targets: is empty"));
  CHECK(contains(r.err, "safedb: 3 problems; no policy is in force\n"));
  CHECK(count_lines(r.err) == 4);
}

TEST_CASE("policy lint names a missing folder, and finds the folder through safedb.json",
          "[policy]") {
  TempDir dir;
  auto missing = run_safedb({"policy", "lint", "--policies", dir / "nowhere"});
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.err, "policies folder '" + dir / "nowhere" + "' does not exist"));

  dir.write("conf/safedb.json", R"({"version": 1, "policies": "../team-policies",
    "targets": {"prod": {"dsn": "dbname=app", "environment": "production"}}})");
  dir.write("team-policies/p.json", R"({"version": 1, "applies_to": {"targets": ["prdo"]},
    "rules": []})");
  auto typo = run_safedb({"policy", "lint", "--config", dir / "conf/safedb.json"});
  CHECK(typo.exit_code == 2);
  CHECK(contains(typo.err,
                 "p.json:1: applies_to.targets.0: unknown target \"prdo\" (did you "
                 "mean \"prod\"?) (configured: prod)"));

  // From the folder holding safedb.json, without options.
  dir.write("conf/safedb.json", R"({"version": 1, "policies": "../team-policies"})");
  auto found = run_safedb({"policy", "lint"}, "", {}, dir / "conf");
  CHECK(found.exit_code == 0);
  CHECK(contains(found.out, "team-policies: 1 file, 0 rules"));

  auto no_sub = run_safedb({"policy"});
  CHECK(no_sub.exit_code == 2);
}

TEST_CASE("check --env lists the requirements a file will face", "[policy]") {
  TempDir dir;
  const std::string sql =
      dir.write("m.sql",
                "DELETE FROM sessions WHERE expires_at < now();\n"
                "DO $$ BEGIN EXECUTE 'ANALYZE ' || quote_ident('t'); END $$;\n");
  auto r = run_safedb({"check", "--env", "production", "--policies", kShipped, sql});
  INFO(r.out + r.err);
  CHECK(r.exit_code == 0);  // warnings only, nothing denied
  CHECK(contains(r.out, sql + ": requirements on environment production (production.json):\n"));
  for (const char* line : {
           "  - dry-run of this file on this database within 4h\n",
           "  - restore-verified backup of this database taken within 1d\n",
           "  - 2 approvals of this exact change by principals matching *@dba.example.org; "
           "neither the requester nor the executor counts\n",
           "  - snapshot of what statement #0 destroys, taken before it runs (at most 2GB)\n",
           "  rule production.json data-loss-snapshotted: #0\n",
           "  - at most 10000 rows changed by statement #0\n",
           "  rule production.json destructive-needs-sop: #0, #1\n",
       }) {
    CHECK(contains(r.out, line));
  }

  auto dev = run_safedb({"check", "--env", "development", "--policies", kShipped, sql});
  CHECK(dev.exit_code == 0);
  CHECK(contains(dev.out,
                 sql + ": nothing is required on environment development (development.json)\n"));
  auto qa = run_safedb({"check", "--env", "qa", "--policies", kShipped, sql});
  CHECK(contains(qa.out, sql + ": no policy file in " + kShipped +
                             " applies to environment qa; nothing is required\n"));

  // Without --env or --target, check is unchanged.
  auto plain = run_safedb({"check", sql});
  CHECK_FALSE(contains(plain.out, "requirements"));
}

TEST_CASE("check --env in json adds requirements per file and the policies in force", "[policy]") {
  TempDir dir;
  const std::string sql = dir.write("m.sql", "DELETE FROM sessions WHERE id = 1;\n");
  auto r =
      run_safedb({"check", "--format", "json", "--env", "production", "--policies", kShipped, sql});
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);
  // The existing keys are all still there.
  for (const char* key : {"version", "grammar", "files", "summary"})
    CHECK(doc.contains(key));
  CHECK(doc["files"][0].contains("statements"));
  const json& q = doc["files"][0]["requirements"];
  CHECK(q["environment"] == "production");
  CHECK(q["policy_files"] == json::array({"production.json"}));
  CHECK(q["dry_runs"] == json::parse(R"([{"max_age": "4h", "on": null}])"));
  CHECK(q["backup"] == json::parse(R"({"max_age": "1d", "verified": true})"));
  CHECK(q["approvals"]["min"] == 2);
  CHECK(q["approvals"]["exclude"] == json::array({"requester", "executor"}));
  CHECK(q["snapshot"]["statements"] == json::array({0}));
  CHECK(q["max_rows"]["limit"] == 10000);
  CHECK(q["lock_timeout"].is_null());
  CHECK(q["windows"].empty());
  CHECK(q["denials"].empty());
  CHECK(q["break_glass"]["principals"] == json::parse(R"([["oncall-*@example.org"]])"));
  CHECK(q["summary"].size() == 6);

  auto lint = run_safedb({"policy", "lint", "--policies", kShipped});
  CHECK(contains(lint.out, "sha256 " + doc["policies"]["digest"].get<std::string>()));
  CHECK(doc["policies"]["environment"] == "production");
  CHECK(doc["policies"]["target"].is_null());
}

TEST_CASE("a denied statement fails check unless --fail-on none", "[policy]") {
  TempDir dir;
  dir.write("policies/p.json", R"({"version": 1, "applies_to": {"environments": ["production"]},
    "rules": [{"id": "no-vacuum-full", "when": {"kinds": ["VacuumStmt"]},
               "deny": "VACUUM FULL runs through the DBA team."}]})");
  const std::string sql = dir.write("v.sql", "SELECT 1;\nVACUUM sessions;\n");
  auto r = run_safedb({"check", "--env", "production", "--policies", dir / "policies", sql});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out,
                 "  - refused: statement #1 (line 2) is denied by p.json rule "
                 "no-vacuum-full: VACUUM FULL runs through the DBA team.\n"));
  CHECK(run_safedb({"check", "--env", "production", "--policies", dir / "policies", "--fail-on",
                    "none", sql})
            .exit_code == 0);
  // In staging nothing denies it.
  CHECK(run_safedb({"check", "--env", "staging", "--policies", dir / "policies", sql}).exit_code ==
        0);

  auto gh = run_safedb(
      {"check", "--format", "github", "--env", "production", "--policies", dir / "policies", sql});
  CHECK(contains(gh.out, "::error file=" + sql +
                             ",line=2,title=safedb policy p.json no-vacuum-full::VACUUM FULL "
                             "runs through the DBA team.\n"));
}

TEST_CASE("check --env in sarif and github summarises the requirements", "[policy]") {
  TempDir dir;
  const std::string sql = dir.write("m.sql", "DELETE FROM sessions WHERE id = 1;\n");
  auto sarif = run_safedb(
      {"check", "--format", "sarif", "--env", "production", "--policies", kShipped, sql});
  REQUIRE(sarif.exit_code == 0);
  json doc = json::parse(sarif.out);
  bool note = false;
  for (const json& result : doc["runs"][0]["results"]) {
    if (result["ruleId"] == "policy-requirements") {
      note = true;
      CHECK(result["level"] == "note");
      CHECK(contains(result["message"]["text"].get<std::string>(),
                     "In production, running this file requires: dry-run of this file on this "
                     "database within 4h; "));
    }
  }
  CHECK(note);

  auto gh = run_safedb(
      {"check", "--format", "github", "--env", "production", "--policies", kShipped, sql});
  CHECK(contains(gh.out, "::notice file=" + sql +
                             ",title=safedb policy (production)::Running this file requires: "
                             "dry-run of this file on this database within 4h; "));
}

TEST_CASE("check --target takes the environment from safedb.json", "[policy]") {
  TempDir dir;
  dir.write("safedb.json", R"({"version": 1, "policies": ")" + kShipped + R"(",
    "targets": {"prod": {"dsn": "dbname=app", "environment": "production"},
                "stage": {"dsn": "dbname=app_staging", "environment": "staging"}}})");
  const std::string sql = dir.write("m.sql", "DELETE FROM sessions WHERE id = 1;\n");
  auto prod = run_safedb({"check", "--target", "prod", sql}, "", {}, dir.path());
  INFO(prod.err);
  CHECK(prod.exit_code == 0);
  CHECK(contains(prod.out, "requirements on target prod (production)"));
  auto stage = run_safedb({"check", "--target", "stage", sql}, "", {}, dir.path());
  CHECK(contains(stage.out,
                 "requirements on target stage (staging) (staging.json):\n"
                 "  - dry-run of this file on this database within 1d\n"));

  auto mismatch =
      run_safedb({"check", "--target", "prod", "--env", "staging", sql}, "", {}, dir.path());
  CHECK(mismatch.exit_code == 2);
  CHECK(contains(mismatch.err, "target 'prod' is in environment 'production'"));
  auto unknown = run_safedb({"check", "--target", "nope", sql}, "", {}, dir.path());
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "unknown target 'nope'"));
  // A target safedb.json does not know, with its environment given.
  auto given =
      run_safedb({"check", "--target", "nope", "--env", "production", sql}, "", {}, dir.path());
  CHECK(given.exit_code == 0);
  CHECK(contains(given.out, "requirements on target nope (production)"));
}

TEST_CASE("check refuses policy options without an environment, and bad policies", "[policy]") {
  TempDir dir;
  const std::string sql = dir.write("m.sql", "SELECT 1;\n");
  auto alone = run_safedb({"check", "--policies", kShipped, sql});
  CHECK(alone.exit_code == 2);
  CHECK(alone.err == "safedb: error: --policies and --config need --env or --target\n");

  dir.write("bad/p.json", "{\"version\": 1,\n \"rules\": []}\n");
  auto bad = run_safedb({"check", "--env", "production", "--policies", dir / "bad", sql});
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.empty());
  CHECK(contains(bad.err, "p.json:1: applies_to: missing"));
}
