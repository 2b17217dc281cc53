#include <catch2/catch.hpp>

#include "crypto/crypto_test_support.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/sshsig.h"

using namespace safedb;
using namespace safedb::crypto;
using safedb::test::TempDir;

namespace {

constexpr std::int64_t kJan2024 = 1704067200;  // 2024-01-01 00:00:00 UTC
constexpr std::int64_t kJan2025 = 1735689600;  // 2025-01-01 00:00:00 UTC
constexpr std::int64_t kMid2024 = 1719792000;  // 2024-07-01 00:00:00 UTC

AllowedSigners parsed(const std::string& text) {
  auto signers = AllowedSigners::parse(text, "allowed_signers");
  INFO((signers.ok() ? "" : signers.error().message()));
  REQUIRE(signers.ok());
  return std::move(signers).value();
}

std::string parse_error(const std::string& text) {
  auto signers = AllowedSigners::parse(text, "allowed_signers");
  REQUIRE_FALSE(signers.ok());
  CHECK(signers.error().code() == ExitCode::usage);
  return signers.error().message();
}

std::vector<std::string> principals(const AllowedSigners& signers, const PublicKey& key,
                                    std::string_view ns = kAuditNamespace,
                                    std::int64_t when = kMid2024) {
  auto result = signers.principals_for(key, ns, when);
  INFO((result.ok() ? "" : result.error().message()));
  REQUIRE(result.ok());
  return *result;
}

std::string refusal(const AllowedSigners& signers, const PublicKey& key,
                    std::string_view ns = kAuditNamespace, std::int64_t when = kMid2024) {
  auto result = signers.principals_for(key, ns, when);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code() == ExitCode::no);
  return result.error().message();
}

using Principals = std::vector<std::string>;

}  // namespace

TEST_CASE("allowed_signers lines give their principals for a known key", "[crypto]") {
  PrivateKey alice = PrivateKey::generate();
  PrivateKey bob = PrivateKey::generate();
  AllowedSigners signers = parsed(
      "# Comments allowed at start of line\n"
      "\n"
      "   \t\n"
      "alice@example.com,alice@corp.example " +
      alice.public_key().openssh() +
      " alice's laptop\n"
      "  # an indented comment\n"
      "bob@example.com " +
      bob.public_key().openssh() + "\r\n");
  REQUIRE(signers.entries().size() == 2);
  CHECK(signers.entries()[0].line == 4);
  CHECK(signers.entries()[1].line == 6);
  CHECK(principals(signers, alice.public_key()) ==
        Principals{"alice@example.com", "alice@corp.example"});
  CHECK(principals(signers, bob.public_key()) == Principals{"bob@example.com"});
}

TEST_CASE("a key on several lines gets the principals of every line", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  AllowedSigners signers = parsed("a@x " + key.public_key().openssh() + "\nb@x,a@x " +
                                  key.public_key().openssh() + "\n");
  CHECK(principals(signers, key.public_key()) == Principals{"a@x", "b@x"});
}

TEST_CASE("an unknown key is refused naming its fingerprint", "[crypto]") {
  PrivateKey known = PrivateKey::generate();
  PrivateKey stranger = PrivateKey::generate();
  AllowedSigners signers = parsed("ops@example.com " + known.public_key().openssh() + "\n");
  std::string message = refusal(signers, stranger.public_key());
  CHECK_THAT(message, Catch::Contains(stranger.public_key().fingerprint()) &&
                          Catch::Contains("not in the allowed signers file allowed_signers"));
}

TEST_CASE("namespaces= restricts a key to the namespaces listed", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  AllowedSigners signers =
      parsed("ops@example.com namespaces=\"safedb-approval\" " + key.public_key().openssh() + "\n");
  CHECK(principals(signers, key.public_key(), kApprovalNamespace) == Principals{"ops@example.com"});
  std::string message = refusal(signers, key.public_key(), kAuditNamespace);
  CHECK_THAT(message, Catch::Contains("may not sign in namespace \"safedb-audit\"") &&
                          Catch::Contains("allowed_signers:1") &&
                          Catch::Contains("safedb-approval"));
  CHECK_THAT(refusal(signers, key.public_key(), "git"), Catch::Contains("namespace \"git\""));
}

TEST_CASE("namespaces= takes patterns with wildcards and negation", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  AllowedSigners signers =
      parsed("ops NAMESPACES=\"safedb-*,!safedb-audit\" " + key.public_key().openssh() + "\n");
  CHECK(principals(signers, key.public_key(), kApprovalNamespace) == Principals{"ops"});
  CHECK_FALSE(signers.principals_for(key.public_key(), kAuditNamespace, kMid2024).ok());
  CHECK_FALSE(signers.principals_for(key.public_key(), "git", kMid2024).ok());
}

TEST_CASE("a key is refused before valid-after, naming the dates", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  AllowedSigners signers =
      parsed("ops valid-after=\"20240101Z\" " + key.public_key().openssh() + "\n");
  REQUIRE(signers.entries()[0].valid_after == kJan2024);
  CHECK(principals(signers, key.public_key(), kAuditNamespace, kJan2024) == Principals{"ops"});
  std::string message = refusal(signers, key.public_key(), kAuditNamespace, kJan2024 - 1);
  CHECK_THAT(message, Catch::Contains("not valid yet") &&
                          Catch::Contains("2024-01-01 00:00:00 UTC") &&
                          Catch::Contains("2023-12-31 23:59:59 UTC"));
}

TEST_CASE("a key is refused after valid-before, naming the dates", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  AllowedSigners signers =
      parsed("ops valid-before=\"20250101000000Z\" " + key.public_key().openssh() + "\n");
  REQUIRE(signers.entries()[0].valid_before == kJan2025);
  CHECK(principals(signers, key.public_key(), kAuditNamespace, kJan2025) == Principals{"ops"});
  std::string message = refusal(signers, key.public_key(), kAuditNamespace, kJan2025 + 60);
  CHECK_THAT(message, Catch::Contains("has expired") &&
                          Catch::Contains("2025-01-01 00:00:00 UTC") &&
                          Catch::Contains("2025-01-01 00:01:00 UTC"));
}

TEST_CASE("validity times accept every form ssh-keygen does", "[crypto]") {
  PublicKey key = PrivateKey::generate().public_key();
  auto after = [&](const std::string& value) {
    return parsed("p valid-after=\"" + value + "\" " + key.openssh() + "\n")
        .entries()[0]
        .valid_after;
  };
  CHECK(after("20240101Z") == kJan2024);
  CHECK(after("202401010000Z") == kJan2024);
  CHECK(after("20240101000000z") == kJan2024);
  CHECK(after("20240101UTC") == kJan2024);
  CHECK(after("20240701000000Z") == kMid2024);
  {
    test::ScopedEnv tz("TZ", "UTC");
    tzset();
    CHECK(after("20240101") == kJan2024);  // local time
  }
  tzset();
}

TEST_CASE("a key outside its validity window is refused by safedb and ssh-keygen alike",
          "[crypto]") {
  TempDir dir;
  PrivateKey key = PrivateKey::generate();
  std::string line = "ops@example.com valid-after=\"20240101Z\",valid-before=\"20250101Z\" " +
                     key.public_key().openssh() + "\n";
  std::string allowed = dir / "allowed_signers";
  test::write_file(allowed, line, 0644);
  auto sig = sign(key, "msg\n", kAuditNamespace);
  REQUIRE(sig.ok());
  test::write_file(dir / "msg.sig", sig->armored(), 0644);
  auto ssh_keygen_at = [&](const std::string& when) {
    return test::run({"ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "ops@example.com", "-n",
                      "safedb-audit", "-s", dir / "msg.sig", "-O", "verify-time=" + when},
                     "msg\n")
        .exit_code;
  };
  auto signers = AllowedSigners::load(allowed);
  REQUIRE(signers.ok());
  CHECK(ssh_keygen_at("20240701Z") == 0);
  CHECK(signers->principals_for(key.public_key(), kAuditNamespace, kMid2024).ok());
  CHECK(ssh_keygen_at("20231231Z") != 0);
  CHECK_FALSE(signers->principals_for(key.public_key(), kAuditNamespace, kJan2024 - 86400).ok());
  CHECK(ssh_keygen_at("20250102Z") != 0);
  CHECK_FALSE(signers->principals_for(key.public_key(), kAuditNamespace, kJan2025 + 86400).ok());
}

TEST_CASE("a namespace restriction is honoured by safedb and ssh-keygen alike", "[crypto]") {
  TempDir dir;
  PrivateKey key = PrivateKey::generate();
  std::string allowed = dir / "allowed_signers";
  test::write_file(
      allowed,
      "ops@example.com namespaces=\"safedb-approval\" " + key.public_key().openssh() + "\n", 0644);
  auto sig = sign(key, "msg\n", kAuditNamespace);
  REQUIRE(sig.ok());
  test::write_file(dir / "msg.sig", sig->armored(), 0644);
  CHECK(test::run({"ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "ops@example.com", "-n",
                   "safedb-audit", "-s", dir / "msg.sig"},
                  "msg\n")
            .exit_code != 0);
  auto signers = AllowedSigners::load(allowed);
  REQUIRE(signers.ok());
  CHECK_FALSE(signers->principals_for(key.public_key(), kAuditNamespace, kMid2024).ok());
}

TEST_CASE("quoted principals and options in any case combine", "[crypto]") {
  PublicKey key = PrivateKey::generate().public_key();
  AllowedSigners signers = parsed(
      "\"ops team,ci@example.com\" Cert-Authority,namespaces=\"safedb-audit,safedb-approval\","
      "Valid-After=\"20240101Z\",valid-before=\"20250101Z\" " +
      key.openssh() + " comment here\n");
  const AllowedSigner& entry = signers.entries()[0];
  CHECK(entry.principals == Principals{"ops team", "ci@example.com"});
  CHECK(entry.cert_authority);
  CHECK(entry.namespaces == Principals{"safedb-audit", "safedb-approval"});
  CHECK(entry.valid_after == kJan2024);
  CHECK(entry.valid_before == kJan2025);
  CHECK(entry.key == key);
}

TEST_CASE("a cert-authority line never matches a plain key", "[crypto]") {
  PublicKey key = PrivateKey::generate().public_key();
  AllowedSigners signers = parsed("*@example.com cert-authority " + key.openssh() + "\n");
  REQUIRE(signers.entries().size() == 1);
  CHECK_THAT(refusal(signers, key), Catch::Contains("not in the allowed signers file"));
}

TEST_CASE("lines with keys of other types are skipped, not errors", "[crypto]") {
  TempDir dir;
  test::run_ok({"ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", dir / "rsa"});
  test::run_ok({"ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", dir / "ecdsa"});
  PublicKey key = PrivateKey::generate().public_key();
  AllowedSigners signers =
      parsed("rsa@x " + test::read_file(dir / "rsa.pub") + "ecdsa@x namespaces=\"git\" " +
             test::read_file(dir / "ecdsa.pub") + "ed@x " + key.openssh() + "\n");
  REQUIRE(signers.entries().size() == 1);
  CHECK(signers.entries()[0].line == 3);
}

TEST_CASE("unquoted option values are refused, as ssh-keygen refuses them", "[crypto]") {
  PublicKey key = PrivateKey::generate().public_key();
  CHECK_THAT(parse_error("ops namespaces=safedb-audit " + key.openssh() + "\n"),
             Catch::Contains("allowed_signers:1:") && Catch::Contains("double quotes"));
  CHECK_THAT(parse_error("ops valid-after=20240101 " + key.openssh() + "\n"),
             Catch::Contains("double quotes"));
}

TEST_CASE("malformed allowed_signers lines are all reported with file and line", "[crypto]") {
  PublicKey key = PrivateKey::generate().public_key();
  std::string message =
      parse_error("good " + key.openssh() +
                  "\n"
                  "bad-option frobnicate " +
                  key.openssh() +
                  "\n"
                  "# fine\n"
                  "no-key-at-all\n"
                  "bad-time valid-before=\"2024\" " +
                  key.openssh() +
                  "\n"
                  "bad-window valid-after=\"20250101Z\",valid-before=\"20240101Z\" " +
                  key.openssh() +
                  "\n"
                  "bad-base64 ssh-ed25519 AAAA!!!!\n"
                  "twice namespaces=\"a\",namespaces=\"b\" " +
                  key.openssh() + "\n");
  CHECK_THAT(message, Catch::Contains("allowed_signers:2: unknown option \"frobnicate\""));
  CHECK_THAT(message, Catch::Contains("allowed_signers:4: no key"));
  CHECK_THAT(message, Catch::Contains("allowed_signers:5: valid-before: \"2024\" is not a time"));
  CHECK_THAT(message, Catch::Contains("allowed_signers:6: valid-before is not after valid-after"));
  CHECK_THAT(message, Catch::Contains("allowed_signers:7:"));
  CHECK_THAT(message, Catch::Contains("allowed_signers:8: namespaces is given twice"));
  CHECK_THAT(message,
             !Catch::Contains("allowed_signers:1:") && !Catch::Contains("allowed_signers:3:"));
  CHECK(std::count(message.begin(), message.end(), '\n') == 5);
}

TEST_CASE("a line with a key but no principals is reported as such", "[crypto]") {
  PublicKey key = PrivateKey::generate().public_key();
  CHECK_THAT(
      parse_error(key.openssh() + "\n"),
      Catch::Contains("allowed_signers:1: the line starts with a key: principals are missing"));
}

TEST_CASE("a missing allowed_signers file fails naming it", "[crypto]") {
  auto signers = AllowedSigners::load("/nonexistent/allowed_signers");
  REQUIRE_FALSE(signers.ok());
  CHECK_THAT(signers.error().message(), Catch::Contains("/nonexistent/allowed_signers"));
}

TEST_CASE("an allowed_signers file written by hand loads from disk", "[crypto]") {
  TempDir dir;
  PublicKey key = PrivateKey::generate().public_key();
  test::write_file(dir / "allowed_signers", "ops@example.com " + key.openssh() + "\n", 0644);
  auto signers = AllowedSigners::load(dir / "allowed_signers");
  REQUIRE(signers.ok());
  CHECK(signers->name() == dir / "allowed_signers");
  CHECK_FALSE(signers->empty());
  CHECK(principals(*signers, key) == Principals{"ops@example.com"});
}

TEST_CASE("pattern lists match wildcards and honour negation", "[crypto]") {
  CHECK(matches_pattern_list({"*@example.com"}, "alice@example.com"));
  CHECK_FALSE(matches_pattern_list({"*@example.com"}, "alice@example.org"));
  CHECK(matches_pattern_list({"user?"}, "user1"));
  CHECK_FALSE(matches_pattern_list({"user?"}, "user12"));
  CHECK(matches_pattern_list({"a*b*c"}, "axxbyyc"));
  CHECK_FALSE(matches_pattern_list({"a*b*c"}, "axxbyy"));
  CHECK(matches_pattern_list({"*"}, ""));
  CHECK_FALSE(matches_pattern_list({"!bob@example.com", "*@example.com"}, "bob@example.com"));
  CHECK(matches_pattern_list({"!bob@example.com", "*@example.com"}, "eve@example.com"));
  CHECK_FALSE(matches_pattern_list({"!bob@example.com"}, "eve@example.com"));
  CHECK_FALSE(matches_pattern_list({"Alice"}, "alice"));
  CHECK_FALSE(matches_pattern_list({}, "anything"));
}
