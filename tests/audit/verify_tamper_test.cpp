#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "audit/audit_fixture.h"
#include "safedb/crypto/sshsig.h"

using namespace safedb;
using namespace safedb::audit;
using namespace safedb::audit::test;

namespace {

// Ten lines: log-start (line 1), three runs (lines 2-7), a witnessed
// checkpoint of the first seven records (line 8), one more run (lines 9-10).
struct TenLineLog : Fixture {
  TenLineLog() {
    append_runs(alice, 3);
    checkpoint(alice);
    append_runs(alice, 1, "late");
    REQUIRE(read_lines(log).size() == 10);
  }
};

void require_intact(const VerifyReport& report) {
  INFO(describe(report));
  REQUIRE(report.intact());
}

void require_finding(const VerifyReport& report, const std::string& check, std::size_t line,
                     Finding::File file = Finding::File::log) {
  INFO(describe(report));
  REQUIRE_FALSE(report.intact());
  REQUIRE(has_finding(report, check, line, file));
}

}  // namespace

TEST_CASE("an untouched log with its witness verifies intact", "[audit]") {
  TenLineLog f;
  const VerifyReport report = f.verify(true);
  require_intact(report);
  CHECK(report.records == 10);
  CHECK(report.signatures_verified == 10);
  CHECK(report.checkpoints == 1);
  CHECK(report.witness_checkpoints == 1);
  REQUIRE(report.latest_checkpoint);
  CHECK(report.latest_checkpoint->size == 7);
  CHECK(report.origin.starts_with("safedb-audit/"));
}

TEST_CASE("a changed byte anywhere in a record is detected", "[audit]") {
  TenLineLog f;
  const std::string original = read_bytes(f.log);
  const std::vector<std::string> lines = read_lines(f.log);
  // A middle record, the checkpoint, and the last line (which no later prev protects).
  for (std::size_t line : {4u, 8u, 10u}) {
    std::size_t start = 0;
    for (std::size_t i = 0; i + 1 < line; ++i)
      start += lines[i].size() + 1;
    for (std::size_t i = start; i < start + lines[line - 1].size(); ++i) {
      std::string bytes = original;
      bytes[i] = static_cast<char>(bytes[i] ^ 0x01);
      write_bytes(f.log, bytes);
      const VerifyReport report = f.verify(true);
      INFO("line " << line << ", byte " << i - start + 1);
      REQUIRE_FALSE(report.intact());
      REQUIRE(std::any_of(report.findings.begin(), report.findings.end(),
                          [&](const Finding& finding) { return finding.line == line; }));
    }
  }
}

TEST_CASE("a flipped byte breaks the signature and the next record's link", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  const auto at = lines[3].find("prod");
  lines[3][at + 2] = 'a';
  write_lines(f.log, lines);
  const VerifyReport report = f.verify(true);
  require_finding(report, "signature", 4);
  require_finding(report, "chain", 5);
  require_finding(report, "checkpoint", 8);
  require_finding(report, "witness", 1, Finding::File::witness);
}

TEST_CASE("a deleted record is detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines.erase(lines.begin() + 4);  // line 5
  write_lines(f.log, lines);
  const VerifyReport report = f.verify();
  require_finding(report, "seq", 5);
  require_finding(report, "chain", 5);
  CHECK_THAT(describe(report), Catch::Contains("seq jumps from 3 to 5: 1 record(s) are missing"));
}

TEST_CASE("a duplicated record is detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines.insert(lines.begin() + 3, lines[2]);  // line 3 twice
  write_lines(f.log, lines);
  const VerifyReport report = f.verify();
  require_finding(report, "seq", 4);
  require_finding(report, "chain", 4);
}

TEST_CASE("two swapped records are detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  std::swap(lines[3], lines[4]);
  write_lines(f.log, lines);
  const VerifyReport report = f.verify();
  require_finding(report, "chain", 4);
  require_finding(report, "seq", 5);
}

TEST_CASE("an inserted record, validly signed and linked, is detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  // A forged record that links correctly to line 4, signed with alice's own key.
  const std::string forged = resign(lines[3], f.alice.key, [&](Record& r) {
    r.seq = 4;
    r.prev = line_hash_hex(lines[3]);
    r.type = "dry-run";
    r.payload = {{"target", "prod"}, {"summary", "forged"}};
  });
  lines.insert(lines.begin() + 4, forged);
  write_lines(f.log, lines);
  const VerifyReport report = f.verify();
  CHECK_FALSE(has_finding(report, "signature", 5));
  require_finding(report, "seq", 6);
  require_finding(report, "chain", 6);
}

TEST_CASE("a log truncated below a witnessed checkpoint is detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines.resize(5);
  write_lines(f.log, lines);
  const VerifyReport report = f.verify(true);
  require_finding(report, "truncated", 1, Finding::File::witness);
  CHECK_THAT(describe(report), Catch::Contains("the log has 5 records"));
}

TEST_CASE("a log truncated and then appended to is detected by its witness", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines.resize(5);
  write_lines(f.log, lines);
  f.append_runs(f.alice, 3, "rewritten");  // a valid chain again, 11 records
  const VerifyReport report = f.verify(true);
  require_finding(report, "witness", 1, Finding::File::witness);
  CHECK(report.signatures_verified == report.records);
  // Without the witness the rewrite cannot be seen: that is what witnesses are for.
  require_intact(f.verify(false));
}

TEST_CASE("two signed checkpoints of the same size with different roots are a fork", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 3);
  const std::string first = f.log;
  const std::string second = f.dir / "fork.jsonl";
  write_bytes(second, read_bytes(first));
  f.append_runs(f.alice, 1, "a");
  f.checkpoint(f.alice);
  f.log = second;
  f.append_runs(f.alice, 1, "b");
  f.checkpoint(f.alice);
  const VerifyReport report = f.verify(true);
  require_finding(report, "fork", 2, Finding::File::witness);
  require_finding(report, "witness", 1, Finding::File::witness);
  CHECK_THAT(describe(report), Catch::Contains("two signed checkpoints of size 9 disagree"));
}

TEST_CASE("a record re-signed with another trusted key is detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines[3] = resign(lines[3], f.bob.key, [&](Record& r) {
    r.key = f.bob.key.public_key().fingerprint();
    r.payload["target"] = "staging";
  });
  write_lines(f.log, lines);
  const VerifyReport report = f.verify();
  require_finding(report, "signature", 4);
  require_finding(report, "chain", 5);
  CHECK_THAT(describe(report), Catch::Contains("claims actor 'alice@example.com'"));
}

TEST_CASE("a signature whose key differs from the record's key field is detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines[9] = resign(lines[9], f.bob.key, [](Record&) {});
  write_lines(f.log, lines);
  const VerifyReport report = f.verify();
  require_finding(report, "signature", 10);
  CHECK_THAT(describe(report), Catch::Contains("but the record names key"));
}

TEST_CASE("a record signed by a key not in allowed_signers is detected", "[audit]") {
  TenLineLog f;
  Signer mallory{"mallory@example.com"};
  f.append_runs(mallory, 1, "mallory");
  const VerifyReport report = f.verify();
  require_finding(report, "signature", 11);
  require_finding(report, "signature", 12);
  CHECK(report.findings.size() == 2);
  CHECK_THAT(describe(report), Catch::Contains("not in the allowed signers"));
}

TEST_CASE("a record signed outside its key's validity window is detected", "[audit]") {
  TenLineLog f;
  f.alice.options = "namespaces=\"safedb-audit\",valid-before=\"20200101Z\"";
  f.write_signers({&f.alice, &f.bob});
  const VerifyReport expired = f.verify();
  require_finding(expired, "signature", 1);
  CHECK(expired.signatures_verified == 0);
  CHECK_THAT(describe(expired), Catch::Contains("expired"));

  f.alice.options = "namespaces=\"safedb-audit\",valid-after=\"29990101Z\"";
  f.write_signers({&f.alice, &f.bob});
  const VerifyReport early = f.verify();
  require_finding(early, "signature", 10);
  CHECK_THAT(describe(early), Catch::Contains("not valid yet"));
}

TEST_CASE("a signature made in another namespace is detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  auto split = split_signature(lines[3]);
  REQUIRE(split.ok());
  auto git_sig = crypto::sign(f.alice.key, split->body, "git");
  REQUIRE(git_sig.ok());
  const std::string body = split->body;
  lines[3] = body.substr(0, body.size() - 1) + ",\"sig\":\"" + git_sig->base64() + "\"}";
  write_lines(f.log, lines);
  const VerifyReport report = f.verify();
  require_finding(report, "signature", 4);
  CHECK_THAT(describe(report), Catch::Contains("namespace"));
}

TEST_CASE("a key allowed only in another namespace is detected", "[audit]") {
  TenLineLog f;
  f.alice.options = "namespaces=\"git\"";
  f.write_signers({&f.alice, &f.bob});
  const VerifyReport report = f.verify();
  require_finding(report, "signature", 1);
  CHECK(report.signatures_verified == 0);
}

TEST_CASE("a log rewritten with CRLF line endings is detected", "[audit]") {
  TenLineLog f;
  std::string crlf;
  for (const std::string& line : read_lines(f.log))
    crlf += line + "\r\n";
  write_bytes(f.log, crlf);
  const VerifyReport report = f.verify();
  require_finding(report, "malformed", 1);
  CHECK_THAT(report.findings.front().message, Catch::Contains("CRLF"));
}

TEST_CASE("an intent without an outcome is an incomplete run", "[audit]") {
  TenLineLog f;
  {
    AuditLog writer = f.open_log(f.alice);
    REQUIRE(writer.append(types::intent, {{"run_id", "unfinished"}, {"target", "prod"}}).ok());
  }
  const VerifyReport report = f.verify();
  require_finding(report, "incomplete-run", 11);
  CHECK(report.findings.size() == 1);
  CHECK(report.findings[0].seq == 10u);
  CHECK_THAT(report.findings[0].message,
             Catch::Contains("\"unfinished\" has an intent but no outcome"));
}

TEST_CASE("an outcome without an intent is detected", "[audit]") {
  TenLineLog f;
  {
    AuditLog writer = f.open_log(f.alice);
    REQUIRE(writer.append(types::outcome, {{"run_id", "ghost"}}).ok());
  }
  require_finding(f.verify(), "run", 11);
}

TEST_CASE("a torn last line is reported as exactly one torn tail", "[audit]") {
  TenLineLog f;
  std::string bytes = read_bytes(f.log);
  const std::vector<std::string> lines = read_lines(f.log);
  write_bytes(f.log, bytes + lines[9].substr(0, 100));
  const VerifyReport report = f.verify(true);
  require_finding(report, "torn-tail", 11);
  CHECK(report.findings.size() == 1);
  CHECK_THAT(report.findings[0].message, Catch::Contains("torn tail at line 11"));
}

TEST_CASE("a validly signed record with a duplicate key is rejected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  // The key holder signs an ambiguous record: parsers disagree on its actor.
  std::string body =
      R"({"v":1,"seq":10,"time":"2030-01-01T00:00:00Z","type":"dry-run","actor":"bob@example.com","actor":"alice@example.com","key":")" +
      f.alice.key.public_key().fingerprint() + R"(","prev":")" + line_hash_hex(lines[9]) +
      R"(","payload":{}})";
  auto sig = crypto::sign(f.alice.key, body, kNamespace);
  REQUIRE(sig.ok());
  lines.push_back(body.substr(0, body.size() - 1) + ",\"sig\":\"" + sig->base64() + "\"}");
  write_lines(f.log, lines);
  const VerifyReport report = f.verify();
  require_finding(report, "malformed", 11);
  CHECK_THAT(describe(report), Catch::Contains("appears twice"));
}

TEST_CASE("a record dated before its predecessor is detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines[9] = resign(lines[9], f.alice.key, [](Record& r) { r.time = "2001-01-01T00:00:00Z"; });
  write_lines(f.log, lines);
  require_finding(f.verify(), "time", 10);
}

TEST_CASE("a log whose first records were removed is detected", "[audit]") {
  TenLineLog f;
  std::vector<std::string> lines = read_lines(f.log);
  lines.erase(lines.begin(), lines.begin() + 2);
  write_lines(f.log, lines);
  const VerifyReport report = f.verify();
  require_finding(report, "seq", 1);
  require_finding(report, "chain", 1);
}

TEST_CASE("a deleted log is detected when its witness is given", "[audit]") {
  TenLineLog f;
  std::filesystem::remove(f.log);
  const VerifyReport report = f.verify(true);
  require_finding(report, "missing", 0);
  require_finding(report, "truncated", 1, Finding::File::witness);
}

TEST_CASE("a witness of another log is detected", "[audit]") {
  TenLineLog f;
  const std::string original = f.log;
  f.log = f.dir / "other.jsonl";  // a second log by the same signer, sharing the witness file
  f.append_runs(f.alice, 1);
  f.checkpoint(f.alice);
  f.log = original;
  const VerifyReport report = f.verify(true);
  require_finding(report, "witness", 2, Finding::File::witness);
  CHECK_THAT(describe(report), Catch::Contains("another log's witness"));
}

TEST_CASE("a witness note signed by an untrusted key is detected", "[audit]") {
  TenLineLog f;
  f.write_signers({&f.bob});
  const VerifyReport report = f.verify(true);
  require_finding(report, "signature", 1, Finding::File::witness);
}
