#include <catch2/catch.hpp>

#include <string>

#include "safedb/policy/policy.h"
#include "support/sql_helpers.h"
#include "support/temp_dir.h"

using namespace safedb;
using safedb::test::analyse_sql;
using safedb::test::TempDir;

namespace {

exec::TargetSpec target(const std::string& environment, const std::string& name = "db") {
  return exec::TargetSpec{name, "", environment, false};
}

policy::PolicySet load(const TempDir& dir) {
  auto set = policy::PolicySet::load(dir.path());
  INFO((set.ok() ? "" : set.error().message()));
  REQUIRE(set.ok());
  return std::move(set).value();
}

policy::Requirements evaluate(const policy::PolicySet& set, const std::string& sql,
                              const exec::TargetSpec& on) {
  auto analysis = analyse_sql(sql);
  REQUIRE(analysis.ok());
  return set.evaluate(*analysis, on);
}

std::vector<std::string> applied_ids(const policy::Requirements& r) {
  std::vector<std::string> ids;
  for (const policy::AppliedRule& a : r.applied)
    ids.push_back(a.rule.rule);
  return ids;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("rules match by effects, finding rules, kinds and object patterns", "[policy]") {
  TempDir dir;
  dir.write("p.json", R"({
    "version": 1,
    "applies_to": {"environments": ["production"]},
    "rules": [
      {"id": "by-effect", "when": {"effects": ["blocking", "opaque"]}, "require": {"lock_timeout": "2s"}},
      {"id": "by-rule", "when": {"rules": ["unbounded-delete"]}, "require": {"max_rows": 1}},
      {"id": "by-kind", "when": {"kinds": ["TruncateStmt", "DropdbStmt"]}, "deny": "no"},
      {"id": "by-object", "when": {"objects": ["billing.*", "*.audit_log"]}, "require": {"snapshot": true}},
      {"id": "all-of", "when": {"effects": ["data-loss"], "objects": ["public.sessions"]},
       "require": {"dry_run": {"max_age": "1h"}}}
    ]
  })");
  const policy::PolicySet set = load(dir);
  const auto prod = target("production");

  CHECK(applied_ids(evaluate(set, "SELECT 1;", prod)).empty());
  CHECK(applied_ids(evaluate(set, "CREATE INDEX i ON t (a);", prod)) == Ids{"by-effect"});
  CHECK(applied_ids(evaluate(set, "DELETE FROM messages;", prod)) == Ids{"by-rule"});
  CHECK(applied_ids(evaluate(set, "DROP DATABASE old;", prod)) == Ids{"by-kind"});
  // TRUNCATE is a kind listed, blocking, and data loss on public.sessions.
  CHECK(applied_ids(evaluate(set, "TRUNCATE sessions;", prod)) ==
        Ids{"by-effect", "by-kind", "all-of"});
  CHECK(applied_ids(evaluate(set, "DELETE FROM billing.invoices WHERE id = 1;", prod)) ==
        Ids{"by-object"});
  CHECK(applied_ids(evaluate(set, "UPDATE app.audit_log SET x = 1 WHERE id = 2;", prod)) ==
        Ids{"by-object"});
  // Both keys must match: data loss on another table is not enough, nor is a read of sessions.
  CHECK(applied_ids(evaluate(set, "DELETE FROM sessions WHERE id = 1;", prod)) == Ids{"all-of"});
  CHECK(applied_ids(evaluate(set, "DELETE FROM users WHERE id = 1;", prod)).empty());
  CHECK(applied_ids(evaluate(set, "CREATE INDEX i ON sessions (a);", prod)) == Ids{"by-effect"});

  // A suppression silences `check`, not the policies.
  CHECK(applied_ids(evaluate(set,
                             "-- safedb:ignore unbounded-delete emptied nightly\n"
                             "DELETE FROM messages;",
                             prod)) == Ids{"by-rule"});

  // Statement indexes are reported per rule.
  auto r = evaluate(set, "SELECT 1;\nDELETE FROM messages;\nCREATE INDEX i ON t (a);\n", prod);
  REQUIRE(r.applied.size() == 2);
  CHECK(r.applied[0].rule == policy::RuleRef{"p.json", "by-effect"});
  CHECK(r.applied[0].statements == std::vector<int>{2});
  CHECK(r.applied[1].statements == std::vector<int>{1});
}

TEST_CASE("a rule without when applies to every statement", "[policy]") {
  TempDir dir;
  dir.write("p.json", R"({"version": 1, "applies_to": {"environments": ["production"]},
    "rules": [{"id": "everything", "require": {"dry_run": {"max_age": "1d"}}}]})");
  auto r = evaluate(load(dir), "SELECT 1;\nSELECT 2;\n", target("production"));
  REQUIRE(r.applied.size() == 1);
  CHECK(r.applied[0].statements == std::vector<int>{0, 1});
}

TEST_CASE("requirements from every matching rule combine to the strictest", "[policy]") {
  TempDir dir;
  dir.write("a.json", R"({
    "version": 1,
    "applies_to": {"environments": ["production"]},
    "rules": [
      {"id": "loss", "when": {"effects": ["data-loss"]}, "require": {
        "dry_run": {"max_age": "4h"},
        "backup": {"verified": false, "max_age": "24h"},
        "approvals": {"min": 1, "principals": ["*@dba.example.org"], "exclude": ["requester"]},
        "snapshot": {"max_size": "2GB"},
        "lock_timeout": "5s",
        "max_rows": 10000,
        "window": {"days": ["sat", "sun"], "from": "02:00", "to": "05:00"}}},
      {"id": "rehearse", "when": {"effects": ["data-loss"]}, "require": {
        "dry_run": {"max_age": "2d", "on": "staging"}}}
    ]
  })");
  dir.write("b.json", R"({
    "version": 1,
    "applies_to": {"environments": ["production", "staging"]},
    "rules": [
      {"id": "blocking", "when": {"effects": ["blocking"]}, "require": {
        "dry_run": {"max_age": "1h"},
        "backup": {"max_age": "48h"},
        "approvals": {"min": 2, "principals": ["ana@*", "bo@*"], "exclude": ["executor"]},
        "snapshot": true,
        "lock_timeout": "2s",
        "max_rows": 500,
        "window": {"days": ["sat"], "from": "00:00", "to": "24:00"}}},
      {"id": "same-window", "when": {"effects": ["blocking"]}, "require": {
        "window": {"days": ["sat", "sun"], "from": "02:00", "to": "05:00"},
        "snapshot": {"max_size": "500MB"}}},
      {"id": "on-itself", "when": {"effects": ["blocking"]}, "require": {
        "dry_run": {"max_age": "30m", "on": "main"}}}
    ]
  })");
  const policy::PolicySet set = load(dir);
  const std::string sql =
      "DELETE FROM sessions WHERE id = 1;\n"   // 0: data-loss
      "ALTER TABLE users ADD COLUMN x int;\n"  // 1: blocking
      "SELECT 1;\n";                           // 2: nothing
  auto r = evaluate(set, sql, target("production", "main"));

  CHECK(r.files == Ids{"a.json", "b.json"});
  CHECK(applied_ids(r) == Ids{"loss", "rehearse", "blocking", "same-window", "on-itself"});
  // One dry-run per database: on itself the smallest of 4h, 1h and 30m; on staging 2d.
  REQUIRE(r.dry_runs.size() == 2);
  CHECK_FALSE(r.dry_runs[0].on_target.has_value());
  CHECK(r.dry_runs[0].max_age == std::chrono::minutes(30));
  CHECK(*r.dry_runs[1].on_target == "staging");
  CHECK(r.dry_runs[1].max_age == std::chrono::hours(48));
  // The smallest age; verified because one rule says so by default.
  REQUIRE(r.backup.has_value());
  CHECK(r.backup->max_age == std::chrono::hours(24));
  CHECK(r.backup->verified);
  // The largest count, every principal list, both exclusions.
  REQUIRE(r.approvals.has_value());
  CHECK(r.approvals->min == 2);
  REQUIRE(r.approvals->principal_patterns.size() == 2);
  CHECK(r.approvals->exclude_requester);
  CHECK(r.approvals->exclude_executor);
  CHECK(r.approvals->accepts("ana@dba.example.org"));
  CHECK_FALSE(r.approvals->accepts("cy@dba.example.org"));  // not ana or bo
  CHECK_FALSE(r.approvals->accepts("ana@example.org"));     // not a DBA
  // Snapshot of both statements, the smallest size.
  REQUIRE(r.snapshot.has_value());
  CHECK(*r.snapshot->max_size == 500ull << 20);
  CHECK(r.snapshot->statements == std::vector<int>{0, 1});
  CHECK(*r.lock_timeout == std::chrono::seconds(2));
  REQUIRE(r.row_cap.has_value());
  CHECK(r.row_cap->max_rows == 500);
  CHECK(r.row_cap->statements == std::vector<int>{0, 1});
  // Two distinct windows, both required; the repeated one counts once.
  REQUIRE(r.windows.size() == 2);
  CHECK(r.windows[0].text() == "sat,sun 02:00\u201305:00 UTC");
  CHECK(r.windows[1].text() == "sat 00:00\u201324:00 UTC");
  CHECK(r.denials.empty());
  CHECK_FALSE(r.break_glass.has_value());

  CHECK(policy::describe(r) ==
        Ids{"dry-run of this file on this database within 30m",
            "dry-run of this file on staging within 2d",
            "restore-verified backup of this database taken within 1d",
            "2 approvals of this exact change by principals matching *@dba.example.org, and "
            "also ana@* or bo@*; neither the requester nor the executor counts",
            "snapshot of what statements #0, #1 destroy, taken before they run (at most 500MB)",
            "lock_timeout of at most 2s", "at most 500 rows changed by each of statements #0, #1",
            "only inside the maintenance window sat,sun 02:00\u201305:00 UTC",
            "only inside the maintenance window sat 00:00\u201324:00 UTC"});

  // Only what matches counts: a read-only file requires nothing.
  auto none = evaluate(set, "SELECT 1;", target("production"));
  CHECK(none.empty());
  CHECK(policy::describe(none).empty());
}

TEST_CASE("policies apply by environment, by target name, or everywhere", "[policy]") {
  TempDir dir;
  dir.write("prod.json", R"({"version": 1, "applies_to": {"environments": ["production"]},
    "rules": [{"id": "p", "when": {"effects": ["data-loss"]}, "require": {"max_rows": 100}}]})");
  dir.write("billing.json", R"({"version": 1, "applies_to": {"targets": ["billing"]},
    "rules": [{"id": "b", "when": {"effects": ["data-loss"]}, "require": {"max_rows": 10}}]})");
  dir.write("all.json", R"({"version": 1, "applies_to": {"environments": ["*"]},
    "rules": [{"id": "no-dropdb", "when": {"kinds": ["DropdbStmt"]}, "deny": "Never."}]})");
  const policy::PolicySet set = load(dir);
  const std::string sql = "DELETE FROM t WHERE id = 1;";

  auto prod = evaluate(set, sql, target("production", "main"));
  CHECK(prod.files == Ids{"all.json", "prod.json"});
  CHECK(prod.row_cap->max_rows == 100);
  auto billing = evaluate(set, sql, target("production", "billing"));
  CHECK(billing.files == Ids{"all.json", "billing.json", "prod.json"});
  CHECK(billing.row_cap->max_rows == 10);
  auto dev = evaluate(set, sql, target("development"));
  CHECK(dev.files == Ids{"all.json"});
  CHECK(dev.empty());
  // An ad-hoc connection string is never a named target.
  auto ad_hoc = evaluate(set, sql, exec::TargetSpec{"billing", "host=x", "qa", true});
  CHECK(ad_hoc.files == Ids{"all.json"});
}

TEST_CASE("every denied statement is reported with its rule and message", "[policy]") {
  TempDir dir;
  dir.write("p.json", R"({"version": 1, "applies_to": {"environments": ["production"]},
    "rules": [
      {"id": "no-drop-database", "when": {"kinds": ["DropdbStmt"]},
       "deny": "Databases are never dropped through safedb in production."},
      {"id": "gate", "when": {"effects": ["data-loss"]}, "require": {"dry_run": {"max_age": "4h"}}}
    ],
    "break_glass": {"allowed": true, "principals": ["oncall@example.org"]}})");
  auto r =
      evaluate(load(dir), "SELECT 1;\nDROP DATABASE a;\nDROP DATABASE b;\n", target("production"));
  REQUIRE(r.denials.size() == 2);
  CHECK(r.denials[0].rule == policy::RuleRef{"p.json", "no-drop-database"});
  CHECK(r.denials[0].statement == 1);
  CHECK(r.denials[0].line == 2);
  CHECK(r.denials[1].statement == 2);
  CHECK(r.denials[0].message == "Databases are never dropped through safedb in production.");
  // DROP DATABASE is data loss too; the other rule still applies.
  CHECK(r.dry_runs.size() == 1);
  REQUIRE(r.break_glass.has_value());
  const auto lines = policy::describe(r);
  CHECK(lines.front() ==
        "refused: statement #1 (line 2) is denied by p.json rule no-drop-database: Databases are "
        "never dropped through safedb in production.");
  CHECK(lines.back().starts_with("break-glass allowed for principals matching oncall@example.org"));
}

TEST_CASE("break-glass needs a file that allows it", "[policy]") {
  TempDir dir;
  dir.write("prod.json", R"({"version": 1, "applies_to": {"environments": ["production"]},
    "rules": [], "break_glass": {"allowed": true, "principals": ["oncall-*@example.org"]}})");
  dir.write("staging.json", R"({"version": 1, "applies_to": {"environments": ["staging"]},
    "rules": [], "break_glass": {"allowed": false}})");
  const policy::PolicySet set = load(dir);
  auto prod = evaluate(set, "SELECT 1;", target("production"));
  REQUIRE(prod.break_glass.has_value());
  REQUIRE(prod.break_glass->principal_patterns.size() == 1);
  CHECK(prod.break_glass->principal_patterns[0][0].matches("oncall-ana@example.org"));
  CHECK_FALSE(evaluate(set, "SELECT 1;", target("staging")).break_glass.has_value());
  CHECK_FALSE(evaluate(set, "SELECT 1;", target("qa")).break_glass.has_value());
}
