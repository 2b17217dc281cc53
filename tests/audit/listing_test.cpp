#include <catch2/catch.hpp>

#include "audit/audit_fixture.h"
#include "safedb/audit/listing.h"

using namespace safedb;
using namespace safedb::audit;
using namespace safedb::audit::test;

TEST_CASE("list shows an outcome under the target of its run's intent", "[audit]") {
  Fixture f;
  {
    AuditLog writer = f.open_log(f.alice);
    REQUIRE(writer
                .append(types::intent, {{"run_id", "r1"},
                                        {"target", {{"name", "prod"}, {"database", "app"}}},
                                        {"file", {{"path", "m.sql"}}},
                                        {"statements", nlohmann::json::array({1, 2})}})
                .ok());
    REQUIRE(writer.append(types::outcome, {{"run_id", "r1"}, {"result", "committed"}}).ok());
    REQUIRE(writer.append(types::dry_run, {{"target", "staging"}}).ok());
  }
  ListFilter filter;
  filter.target = "prod";
  auto listing = list_records(f.log, filter);
  REQUIRE(listing.ok());
  REQUIRE(listing->records.size() == 2);
  CHECK(listing->records[0].target == "prod");
  CHECK(listing->records[1].target == "prod");
  CHECK(summary_of(listing->records[0].record) == "run r1, m.sql, 2 statements");
  CHECK(summary_of(listing->records[1].record) == "run r1, committed");
  CHECK(listing->unreadable.empty());
}

TEST_CASE("show finds every record of a run and nothing for an unknown id", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 2);
  auto run = find_records(f.log, "run-1");
  REQUIRE(run.ok());
  REQUIRE(run->records.size() == 2);
  CHECK(run->records[0].record.type == "intent");
  CHECK(run->records[1].line == 5);
  auto by_seq = find_records(f.log, "0");
  REQUIRE(by_seq.ok());
  REQUIRE(by_seq->records.size() == 1);
  CHECK(by_seq->records[0].record.type == "log-start");
  CHECK(find_records(f.log, "run-9")->records.empty());
}
