#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "audit/audit_fixture.h"
#include "audit/verified_mark.h"

using namespace safedb;
using namespace safedb::audit;
using namespace safedb::audit::test;

namespace {

crypto::AllowedSigners load_signers(const Fixture& f) {
  auto signers = crypto::AllowedSigners::load(f.signers_path);
  REQUIRE(signers.ok());
  return std::move(signers).value();
}

// verify_log as trusted_records runs it: with what the mark vouches for.
VerifyReport verify_vouched(const Fixture& f, const crypto::AllowedSigners& signers) {
  VerifyOptions options;
  options.log_path = f.log;
  options.vouched_lines = vouched_lines(f.log, signers);
  auto report = verify_log(options, signers);
  REQUIRE(report.ok());
  return std::move(report).value();
}

}  // namespace

TEST_CASE("a verified mark spares the signatures it vouches for, and only those", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 3);  // 7 lines
  crypto::AllowedSigners signers = load_signers(f);
  CHECK(vouched_lines(f.log, signers) == 0);  // no mark yet

  auto records = trusted_records(f.log, signers, &f.alice.key);
  REQUIRE(records.ok());
  CHECK(records->size() == 7);
  REQUIRE(std::filesystem::exists(mark_path(f.log)));
  CHECK(vouched_lines(f.log, signers) == 7);
  VerifyReport spared = verify_vouched(f, signers);
  CHECK(spared.intact());
  CHECK(spared.signatures_verified == 7);
  CHECK(spared.signatures_vouched == 7);

  // New records are checked; the mark then covers them too.
  f.append_runs(f.bob, 1, "later");
  CHECK(vouched_lines(f.log, signers) == 7);
  VerifyReport grown = verify_vouched(f, signers);
  CHECK(grown.intact());
  CHECK(grown.signatures_verified == 9);
  CHECK(grown.signatures_vouched == 7);
  REQUIRE(trusted_records(f.log, signers, &f.alice.key).ok());
  CHECK(vouched_lines(f.log, signers) == 9);

  SECTION("without a key no mark is written, and the old one is still used") {
    f.append_runs(f.alice, 1, "more");
    REQUIRE(trusted_records(f.log, signers).ok());
    CHECK(vouched_lines(f.log, signers) == 9);
  }
  SECTION("an edited mark vouches for nothing") {
    nlohmann::json mark = nlohmann::json::parse(read_bytes(mark_path(f.log)));
    mark["lines"] = 3;
    write_bytes(mark_path(f.log), mark.dump());
    CHECK(vouched_lines(f.log, signers) == 0);
    write_bytes(mark_path(f.log), "not json");
    CHECK(vouched_lines(f.log, signers) == 0);
  }
  SECTION("a mark made under other allowed_signers vouches for nothing") {
    f.write_signers({&f.alice, &f.bob, &f.alice});
    CHECK(vouched_lines(f.log, load_signers(f)) == 0);
  }
  SECTION("a mark signed by a key allowed_signers does not list vouches for nothing") {
    Signer mallory{"mallory@example.com"};
    write_mark(grown, signers, mallory.key);  // grown: the first 9 lines, verified
    CHECK(vouched_lines(f.log, signers) == 0);
  }
  SECTION("a changed line under the mark makes everything checked again") {
    std::vector<std::string> lines = read_lines(f.log);
    // Re-signed by a key allowed_signers does not list, links kept intact
    // from there on: only the signature of line 4 is wrong.
    Signer mallory{"mallory@example.com"};
    lines[3] = resign(lines[3], mallory.key, [](Record&) {});
    for (std::size_t i = 4; i < lines.size(); ++i) {
      lines[i] = resign(lines[i], i < 7 ? f.alice.key : f.bob.key,
                        [&](Record& r) { r.prev = crypto::to_hex(crypto::sha256(lines[i - 1])); });
    }
    write_lines(f.log, lines);
    CHECK(vouched_lines(f.log, signers) == 0);
    auto refused = trusted_records(f.log, signers, &f.alice.key);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message().find("signature at line 4") != std::string::npos);
  }
}

TEST_CASE("a mark never stands in for the auditor's verify", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 2);  // 5 lines
  crypto::AllowedSigners signers = load_signers(f);
  std::vector<std::string> lines = read_lines(f.log);
  Signer mallory{"mallory@example.com"};
  lines[4] = resign(lines[4], mallory.key, [](Record&) {});
  write_lines(f.log, lines);
  // A mark over the bad line, as a bug or a stolen key could make one.
  VerifyReport bad = f.verify();
  REQUIRE(has_finding(bad, "signature", 5));
  write_mark(bad, signers, f.alice.key);
  REQUIRE(vouched_lines(f.log, signers) == 5);
  VerifyReport full = f.verify();  // vouched_lines 0, as `safedb audit verify` runs it
  CHECK(has_finding(full, "signature", 5));
  CHECK(full.signatures_vouched == 0);
}
