#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "audit/audit_fixture.h"
#include "safedb/util/process.h"

using namespace safedb;
using namespace safedb::audit;
using namespace safedb::audit::test;

namespace {

struct CliLog : Fixture {
  std::string key_path = dir / "alice_key";

  CliLog() {
    REQUIRE(alice.key.write_openssh(key_path, "alice").ok());
    AuditLog writer = open_log(alice);
    REQUIRE(writer.append(types::intent, {{"run_id", "r1"}, {"target", "prod"}}).ok());
    REQUIRE(writer
                .append(types::outcome,
                        {{"run_id", "r1"}, {"target", "prod"}, {"summary", "3 statements applied"}})
                .ok());
    REQUIRE(writer.append(types::dry_run, {{"target", "staging"}}).ok());
  }

  util::ProcessResult safedb(std::vector<std::string> args) {
    args.insert(args.begin(), SAFEDB_BINARY);
    auto result = util::run_process(args);
    REQUIRE(result.ok());
    return std::move(result).value();
  }
};

}  // namespace

TEST_CASE("audit verify without trust anchors is a usage error", "[audit]") {
  CliLog f;
  CHECK(f.safedb({"audit", "verify", "--log", f.log}).exit_code == 2);
  write_bytes(f.signers_path, "# nobody\n");
  const util::ProcessResult empty =
      f.safedb({"audit", "verify", "--log", f.log, "--allowed-signers", f.signers_path});
  CHECK(empty.exit_code == 2);
  CHECK_THAT(empty.err, Catch::Contains("lists no keys"));
}

TEST_CASE("audit verify exits 0 for an intact log and 1 with findings", "[audit]") {
  CliLog f;
  const util::ProcessResult intact =
      f.safedb({"audit", "verify", "--log", f.log, "--allowed-signers", f.signers_path});
  INFO(intact.out << intact.err);
  CHECK(intact.exit_code == 0);
  CHECK_THAT(intact.out, Catch::StartsWith("intact: 4 records"));

  std::vector<std::string> lines = read_lines(f.log);
  std::swap(lines[1], lines[2]);
  write_lines(f.log, lines);
  const util::ProcessResult broken =
      f.safedb({"audit", "verify", "--log", f.log, "--allowed-signers", f.signers_path});
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.out, Catch::Contains(f.log + ":2 (seq 2): chain: prev does not match"));
  CHECK_THAT(broken.out, Catch::Contains("NOT INTACT"));
}

TEST_CASE("audit verify --format json lists findings for machines", "[audit]") {
  CliLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines.erase(lines.begin() + 2);
  write_lines(f.log, lines);
  const util::ProcessResult result = f.safedb(
      {"audit", "verify", "--log", f.log, "--allowed-signers", f.signers_path, "--format", "json"});
  CHECK(result.exit_code == 1);
  const auto json = nlohmann::json::parse(result.out);
  CHECK(json["intact"] == false);
  CHECK(json["records"] == 3);
  REQUIRE(json["findings"].is_array());
  bool seq_gap = false;
  for (const auto& finding : json["findings"]) {
    CHECK(finding.contains("message"));
    if (finding["check"] == "seq" && finding["line"] == 3 && finding["seq"] == 3) seq_gap = true;
  }
  CHECK(seq_gap);
}

TEST_CASE("audit checkpoint seals the log and appends the note to the witness", "[audit]") {
  CliLog f;
  const util::ProcessResult sealed =
      f.safedb({"audit", "checkpoint", "--log", f.log, "--key", f.key_path, "--principal",
                f.alice.principal, "--witness", f.witness});
  INFO(sealed.out << sealed.err);
  CHECK(sealed.exit_code == 0);
  CHECK_THAT(sealed.out, Catch::StartsWith("checkpoint at seq 4: 4 records, root "));
  CHECK(read_lines(f.witness).size() == 1);
  const util::ProcessResult verified =
      f.safedb({"audit", "verify", "--log", f.log, "--allowed-signers", f.signers_path, "--witness",
                f.witness});
  INFO(verified.out);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("1 witness checkpoints matching"));
}

TEST_CASE("audit list shows a table and filters it", "[audit]") {
  CliLog f;
  const util::ProcessResult all = f.safedb({"audit", "list", "--log", f.log});
  CHECK(all.exit_code == 0);
  CHECK_THAT(all.out, Catch::StartsWith("SEQ  TIME"));
  CHECK_THAT(all.out,
             Catch::Contains("alice@example.com  outcome    prod     3 statements applied"));

  const util::ProcessResult staging =
      f.safedb({"audit", "list", "--log", f.log, "--target", "staging"});
  CHECK(std::count(staging.out.begin(), staging.out.end(), '\n') == 2);
  const util::ProcessResult intents =
      f.safedb({"audit", "list", "--log", f.log, "--type", "intent", "--format", "json"});
  const auto json = nlohmann::json::parse(intents.out);
  REQUIRE(json.size() == 1);
  CHECK(json[0]["payload"]["run_id"] == "r1");
  const util::ProcessResult future =
      f.safedb({"audit", "list", "--log", f.log, "--since", "2999-01-01"});
  CHECK(std::count(future.out.begin(), future.out.end(), '\n') == 1);  // the header only
  CHECK(f.safedb({"audit", "list", "--log", f.log, "--since", "yesterday"}).exit_code == 2);
}

TEST_CASE("audit show finds a record by seq and a run by its id", "[audit]") {
  CliLog f;
  const util::ProcessResult by_seq = f.safedb({"audit", "show", "3", "--log", f.log});
  CHECK(by_seq.exit_code == 0);
  CHECK_THAT(by_seq.out, Catch::StartsWith("seq 3 (line 4)"));
  const util::ProcessResult run = f.safedb({"audit", "show", "r1", "--log", f.log});
  CHECK_THAT(run.out, Catch::Contains("type     intent"));
  CHECK_THAT(run.out, Catch::Contains("type     outcome"));
  CHECK(f.safedb({"audit", "show", "nope", "--log", f.log}).exit_code == 1);
}

TEST_CASE("audit repair cuts a torn tail off and records it", "[audit]") {
  CliLog f;
  write_bytes(f.log, read_bytes(f.log) + "{\"v\":1,\"se");
  const util::ProcessResult listed = f.safedb({"audit", "list", "--log", f.log});
  CHECK(listed.exit_code == 1);
  CHECK_THAT(listed.err, Catch::Contains("line 5: torn tail"));
  const util::ProcessResult repaired = f.safedb(
      {"audit", "repair", "--log", f.log, "--key", f.key_path, "--principal", f.alice.principal});
  INFO(repaired.out << repaired.err);
  CHECK(repaired.exit_code == 0);
  CHECK_THAT(repaired.out, Catch::Contains("cut 10 torn bytes"));
  CHECK(f.verify().intact());
}
