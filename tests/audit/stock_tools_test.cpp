#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "audit/audit_fixture.h"
#include "safedb/crypto/sshsig.h"
#include "safedb/util/process.h"

using namespace safedb;
using namespace safedb::audit;
using namespace safedb::audit::test;

namespace {

const std::string kDoc = std::string(SAFEDB_SOURCE_DIR) + "/docs/auditing.md";
const std::string kScript = std::string(SAFEDB_SOURCE_DIR) + "/tests/audit/stock_tools_check.sh";

// The ```sh blocks of a Markdown file, in order, joined into one text.
std::string sh_blocks(const std::string& markdown) {
  std::istringstream in(markdown);
  std::string out;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (!inside && line == "```sh") {
      inside = true;
    } else if (inside && line == "```") {
      inside = false;
    } else if (inside) {
      out += line + "\n";
    }
  }
  return out;
}

// Nine lines by two signers with two witnessed checkpoints.
struct WitnessedLog : Fixture {
  WitnessedLog() {
    append_runs(alice, 2);
    checkpoint(alice);
    append_runs(bob, 1, "bob");
    checkpoint(bob);
  }

  util::ProcessResult run_script() {
    auto result = util::run_process(
        {"env", "LOG=" + log, "SIGNERS=" + signers_path, "WITNESS=" + witness, "bash", kScript});
    REQUIRE(result.ok());
    return std::move(result).value();
  }
};

}  // namespace

TEST_CASE("the stock-tool script is exactly the code of docs/auditing.md", "[audit]") {
  const std::string documented = sh_blocks(read_bytes(kDoc));
  REQUIRE_FALSE(documented.empty());
  // Regenerate after editing the doc:
  //   awk '/^```sh$/{f=1;next} /^```$/{f=0} f' docs/auditing.md >tests/audit/stock_tools_check.sh
  CHECK(read_bytes(kScript) == documented);
}

TEST_CASE("the documented stock-tool procedure verifies a log safedb wrote", "[audit]") {
  WitnessedLog f;
  REQUIRE(f.verify(true).intact());
  const util::ProcessResult result = f.run_script();
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("OK: 9 records verified"));
}

TEST_CASE("the documented stock-tool procedure catches a changed record", "[audit]") {
  WitnessedLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines[1].replace(lines[1].find("prod"), 4, "qa01");
  write_lines(f.log, lines);
  const util::ProcessResult result = f.run_script();
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out,
             Catch::Contains("line 2: the signature by alice@example.com does not verify"));
  CHECK_THAT(result.out, Catch::Contains("line 3: prev is not the SHA-256 of line 2"));
  CHECK_THAT(result.out, Catch::Contains("witness line 1"));
}

TEST_CASE("the documented stock-tool procedure catches a log rewritten below its witness",
          "[audit]") {
  WitnessedLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines.resize(3);
  write_lines(f.log, lines);
  f.append_runs(f.alice, 3, "again");  // a valid chain of nine lines again
  const util::ProcessResult result = f.run_script();
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains("witness line 1: the log's first 5 records are not"));
  CHECK_THAT(result.out, Catch::Contains("witness line 2: the log's first 8 records are not"));
}

TEST_CASE("the documented stock-tool procedure catches CRLF and an unfinished run", "[audit]") {
  WitnessedLog f;
  {
    AuditLog writer = f.open_log(f.alice);
    REQUIRE(writer.append(types::intent, {{"run_id", "left-open"}}).ok());
  }
  std::string bytes = read_bytes(f.log);
  bytes.insert(bytes.find('\n'), "\r");
  write_bytes(f.log, bytes);
  const util::ProcessResult result = f.run_script();
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains("control characters (a CR: CRLF rewriting?) on lines: 1"));
  CHECK_THAT(result.out, Catch::Contains("run left-open has an intent but no outcome"));
}

TEST_CASE("the documented stock-tool procedure catches a log truncated below its witness",
          "[audit]") {
  WitnessedLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines.resize(7);
  write_lines(f.log, lines);
  const util::ProcessResult result = f.run_script();
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out,
             Catch::Contains("witness line 2: the log has 7 records, the witness saw 8"));
}

TEST_CASE("the documented stock-tool procedure catches a member named twice", "[audit]") {
  WitnessedLog f;
  std::vector<std::string> lines = read_lines(f.log);
  // Validly signed by alice, chained, but ambiguous: which actor is it?
  const std::string body =
      R"({"v":1,"seq":9,"time":"2999-01-01T00:00:00Z","type":"dry-run","actor":"bob@example.com","actor":"alice@example.com","key":")" +
      f.alice.key.public_key().fingerprint() + R"(","prev":")" + line_hash_hex(lines.back()) +
      R"(","payload":{}})";
  auto sig = crypto::sign(f.alice.key, body, kNamespace);
  REQUIRE(sig.ok());
  lines.push_back(body.substr(0, body.size() - 1) + ",\"sig\":\"" + sig->base64() + "\"}");
  write_lines(f.log, lines);
  const util::ProcessResult result = f.run_script();
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains("FAIL: line 10: members appear twice: \"actor\""));
  CHECK_THAT(result.out, Catch::Contains("1 problem(s) found"));
}
