#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "safedb/policy/policy.h"
#include "support/sql_helpers.h"

using namespace safedb;
using safedb::test::analyse_sql;

namespace {

const std::string kShipped = std::string(SAFEDB_SOURCE_DIR) + "/policies";

policy::PolicySet shipped() {
  auto set = policy::PolicySet::load(kShipped);
  INFO((set.ok() ? "" : set.error().message()));
  REQUIRE(set.ok());
  return std::move(set).value();
}

policy::Requirements on(const std::string& environment, const std::string& sql) {
  auto analysis = analyse_sql(sql);
  REQUIRE(analysis.ok());
  return shipped().evaluate(*analysis, exec::TargetSpec{"main", "", environment, false});
}

// Dry-run on the database itself, a restore-verified backup, and two
// approvals that neither the requester nor the executor can give.
void require_three_gates(const policy::Requirements& r) {
  REQUIRE(r.dry_runs.size() == 1);
  CHECK_FALSE(r.dry_runs[0].on_target.has_value());
  CHECK(r.dry_runs[0].max_age == std::chrono::hours(4));
  REQUIRE(r.backup.has_value());
  CHECK(r.backup->verified);
  CHECK(r.backup->max_age == std::chrono::hours(24));
  REQUIRE(r.approvals.has_value());
  CHECK(r.approvals->min == 2);
  CHECK(r.approvals->exclude_requester);
  CHECK(r.approvals->exclude_executor);
}

}  // namespace

TEST_CASE("the shipped policies are valid and cover the three environments", "[policy]") {
  const policy::PolicySet set = shipped();
  std::vector<std::string> names;
  for (const policy::PolicyFile& f : set.files())
    names.push_back(f.name);
  CHECK(names == std::vector<std::string>{"development.json", "production.json", "staging.json"});
  CHECK_FALSE(std::filesystem::exists(kShipped + "/README.md"));
}

TEST_CASE("shipped production mentions opaque statements", "[policy]") {
  const policy::PolicySet set = shipped();
  bool mentioned = false;
  for (const policy::PolicyFile& f : set.files()) {
    if (f.name != "production.json") continue;
    for (const policy::Rule& rule : f.rules) {
      if (rule.when.effects && rule.when.effects->has(sql::Effect::opaque) &&
          rule.require.dry_run && rule.require.backup && rule.require.approvals)
        mentioned = true;
    }
  }
  CHECK(mentioned);
}

TEST_CASE("shipped production requires all three gates for a DELETE", "[policy]") {
  auto r = on("production", "DELETE FROM sessions WHERE expires_at < now();");
  require_three_gates(r);
  REQUIRE(r.snapshot.has_value());
  CHECK(r.snapshot->max_size == std::optional<std::uint64_t>(2ull << 30));
  REQUIRE(r.row_cap.has_value());
  CHECK(r.row_cap->max_rows == 10000);
  CHECK(r.denials.empty());
  CHECK(r.break_glass.has_value());
}

TEST_CASE("shipped production requires all three gates for an opaque DO block", "[policy]") {
  const std::string sql = "DO $$ BEGIN EXECUTE 'ANALYZE ' || quote_ident('t'); END $$;";
  auto analysis = analyse_sql(sql);
  REQUIRE(analysis.ok());
  REQUIRE(analysis->statements.size() == 1);
  REQUIRE(analysis->statements[0].effects.has(sql::Effect::opaque));
  REQUIRE_FALSE(analysis->statements[0].effects.has(sql::Effect::data_loss));
  auto r = on("production", sql);
  require_three_gates(r);
  CHECK_FALSE(r.snapshot.has_value());  // nothing known to save; the backup covers it
}

TEST_CASE("shipped production denies DROP DATABASE and windows blocking changes", "[policy]") {
  auto drop = on("production", "DROP DATABASE legacy;");
  REQUIRE(drop.denials.size() == 1);
  CHECK(drop.denials[0].rule.rule == "no-drop-database");

  auto alter = on("production", "ALTER TABLE users ALTER COLUMN name SET NOT NULL;");
  REQUIRE(alter.windows.size() == 1);
  CHECK(alter.windows[0].text() == "sat,sun 02:00\u201305:00 UTC");
  CHECK(*alter.lock_timeout == std::chrono::seconds(2));
}

TEST_CASE("shipped staging rehearses first and development requires nothing", "[policy]") {
  auto staging = on("staging", "DELETE FROM sessions WHERE id = 1;");
  REQUIRE(staging.dry_runs.size() == 1);
  CHECK(staging.dry_runs[0].max_age == std::chrono::hours(24));
  CHECK_FALSE(staging.backup.has_value());
  CHECK_FALSE(staging.approvals.has_value());

  auto dev = on("development", "DELETE FROM sessions; DROP DATABASE legacy;");
  CHECK(dev.files == std::vector<std::string>{"development.json"});
  CHECK(dev.empty());
}
