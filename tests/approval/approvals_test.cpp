#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "safedb/approval/approvals.h"
#include "safedb/crypto/sshsig.h"
#include "safedb/util/process.h"
#include "support/temp_dir.h"

using namespace safedb;
using namespace safedb::approval;

namespace {

constexpr std::int64_t kNow = 1'790'000'000;  // 2026-09-21

struct People {
  crypto::PrivateKey alice = crypto::PrivateKey::generate();   // requester
  crypto::PrivateKey bob = crypto::PrivateKey::generate();     // approver
  crypto::PrivateKey carol = crypto::PrivateKey::generate();   // approver
  crypto::PrivateKey carol2 = crypto::PrivateKey::generate();  // carol's second key
  crypto::PrivateKey dave = crypto::PrivateKey::generate();    // executor
  crypto::PrivateKey old = crypto::PrivateKey::generate();     // expired key
  crypto::PrivateKey shared = crypto::PrivateKey::generate();  // listed twice
  crypto::PrivateKey eve = crypto::PrivateKey::generate();     // unknown

  crypto::AllowedSigners signers() const {
    std::string text;
    auto line = [&](const std::string& who, const crypto::PrivateKey& k,
                    const std::string& options = "") {
      text += who + " namespaces=\"safedb-audit,safedb-approval\"" + options + " " +
              k.public_key().openssh() + "\n";
    };
    line("alice@example.org", alice);
    line("bob@dba.example.org", bob);
    line("carol@dba.example.org", carol);
    line("carol@dba.example.org", carol2);
    line("dave@dba.example.org", dave);
    line("olga@dba.example.org", old, ",valid-before=\"20250101Z\"");
    line("sam@dba.example.org,samuel@dba.example.org", shared);
    auto parsed = crypto::AllowedSigners::parse(text, "allowed_signers");
    REQUIRE(parsed.ok());
    return std::move(parsed).value();
  }
};

Plan make_plan(const People& people) {
  Plan p;
  p.request_id = new_request_id();
  p.created = "2026-09-21T00:00:00Z";
  p.expires = "2026-09-22T00:00:00Z";
  p.requester_principal = "alice@example.org";
  p.requester_key = people.alice.public_key().fingerprint();
  p.target_name = "prod";
  p.environment = "production";
  p.system_identifier = "7310000000000000001";
  p.database = "app";
  p.host = "db";
  p.port = 5432;
  p.file_path = "m.sql";
  p.file_sha256 = std::string(64, 'a');
  p.policy_digest = std::string(64, 'b');
  p.requirements = {"2 approvals"};
  return p;
}

ApprovalRule patterns_rule(std::vector<std::string> patterns) {
  ApprovalRule rule;
  rule.min = 2;
  rule.accepts = [patterns](std::string_view who) {
    return crypto::matches_pattern_list(patterns, who);
  };
  for (const std::string& p : patterns)
    rule.patterns += (rule.patterns.empty() ? "" : ", ") + p;
  return rule;
}

Expectation expectation() {
  return {std::string(64, 'a'), "7310000000000000001", "app", std::string(64, 'b')};
}

std::string sign(const crypto::PrivateKey& key, const std::string& bytes,
                 std::string_view ns = crypto::kApprovalNamespace) {
  auto sig = crypto::sign(key, bytes, ns);
  REQUIRE(sig.ok());
  return sig->armored();
}

struct Request {
  People people;
  crypto::AllowedSigners signers = people.signers();
  std::string bytes = render_plan(make_plan(people));
  std::optional<std::string> requester = sign(people.alice, bytes);
  ApprovalRule rule = patterns_rule({"*@dba.example.org"});
  std::set<std::string> consumed;

  RequestCheck check(const std::vector<SignatureFile>& approvals, std::int64_t now = kNow) const {
    return check_request("PLAN.json", bytes, requester, approvals, expectation(), signers,
                         "dave@dba.example.org", consumed, rule, now);
  }
  SignatureFile approval(const crypto::PrivateKey& key, const std::string& name) const {
    return {name, sign(key, bytes)};
  }
};

bool mentions(const RequestCheck& c, const std::string& text) {
  return std::any_of(c.problems.begin(), c.problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("two approvers who may approve make a good request", "[approval]") {
  Request r;
  auto c = r.check({r.approval(r.people.bob, "bob.sig"), r.approval(r.people.carol, "carol.sig")});
  INFO(c.problems.size() << (c.problems.empty() ? "" : ": " + c.problems[0]));
  CHECK(c.problems.empty());
  REQUIRE(c.approvals.size() == 2);
  CHECK(c.approvals[0].principal == "bob@dba.example.org");
  CHECK(c.plan_sha256.size() == 64);
}

TEST_CASE("one approval where two are required is refused", "[approval]") {
  Request r;
  auto c = r.check({r.approval(r.people.bob, "bob.sig")});
  CHECK(mentions(c, "approvals: 1 of 2 required (counted: bob@dba.example.org)"));
}

TEST_CASE("the same key twice counts once", "[approval]") {
  Request r;
  auto c = r.check({r.approval(r.people.bob, "a.sig"), r.approval(r.people.bob, "b.sig")});
  CHECK(c.approvals.size() == 1);
  CHECK(mentions(c, "1 of 2 required"));
}

TEST_CASE("two keys of the same principal count once", "[approval]") {
  Request r;
  auto c = r.check({r.approval(r.people.carol, "a.sig"), r.approval(r.people.carol2, "b.sig")});
  CHECK(c.approvals.size() == 1);
  CHECK(mentions(c, "1 of 2 required"));
}

TEST_CASE("the requester cannot approve their own plan", "[approval]") {
  Request r;
  r.rule.accepts = nullptr;
  auto c = r.check({r.approval(r.people.alice, "alice.sig"), r.approval(r.people.bob, "bob.sig")});
  CHECK(mentions(c, "alice@example.org requested this change and cannot also approve it"));
  CHECK(mentions(c, "1 of 2 required"));
}

TEST_CASE("the executor cannot approve the run they execute", "[approval]") {
  Request r;
  auto c = r.check({r.approval(r.people.dave, "dave.sig"), r.approval(r.people.bob, "bob.sig")});
  CHECK(mentions(c, "dave@dba.example.org runs this change and cannot also approve it"));
}

TEST_CASE("a signature of the same plan in the git namespace is refused", "[approval]") {
  Request r;
  auto c = r.check(
      {{"git.sig", sign(r.people.bob, r.bytes, "git")}, r.approval(r.people.carol, "carol.sig")});
  CHECK(mentions(c, "approval git.sig:"));
  CHECK(mentions(c, "namespace"));
  CHECK(c.approvals.size() == 1);
}

TEST_CASE("one byte of SQL changed after approval is refused", "[approval]") {
  Request r;
  Expectation changed = expectation();
  changed.file_sha256 = std::string(63, 'a') + "c";
  auto c = check_request("PLAN.json", r.bytes, r.requester,
                         {r.approval(r.people.bob, "b.sig"), r.approval(r.people.carol, "c.sig")},
                         changed, r.signers, "dave@dba.example.org", {}, r.rule, kNow);
  CHECK(mentions(c, "the SQL changed after the plan"));
}

TEST_CASE("a plan replayed against another cluster is refused", "[approval]") {
  Request r;
  Expectation other = expectation();
  other.system_identifier = "7399999999999999999";
  auto c = check_request("PLAN.json", r.bytes, r.requester,
                         {r.approval(r.people.bob, "b.sig"), r.approval(r.people.carol, "c.sig")},
                         other, r.signers, "dave@dba.example.org", {}, r.rule, kNow);
  CHECK(mentions(c, "but this run targets cluster 7399999999999999999"));
}

TEST_CASE("an expired plan, and one not yet valid, are refused", "[approval]") {
  Request r;
  auto approvals = std::vector<SignatureFile>{r.approval(r.people.bob, "b.sig"),
                                              r.approval(r.people.carol, "c.sig")};
  CHECK(mentions(r.check(approvals, kNow + 2 * 86400), "expired at 2026-09-22T00:00:00Z"));
  CHECK(mentions(r.check(approvals, kNow - 86400), "not valid before 2026-09-21T00:00:00Z"));
}

TEST_CASE("a key outside its allowed_signers validity does not count", "[approval]") {
  Request r;
  auto c = r.check({r.approval(r.people.old, "olga.sig"), r.approval(r.people.bob, "bob.sig")});
  CHECK(mentions(c, "approval olga.sig:"));
  CHECK(c.approvals.size() == 1);
}

TEST_CASE("a key listed under two principals does not count", "[approval]") {
  Request r;
  auto c = r.check({r.approval(r.people.shared, "sam.sig"), r.approval(r.people.bob, "bob.sig")});
  CHECK(mentions(c, "listed under several principals"));
}

TEST_CASE("an unknown key does not count", "[approval]") {
  Request r;
  auto c = r.check({r.approval(r.people.eve, "eve.sig"), r.approval(r.people.bob, "bob.sig")});
  CHECK(mentions(c, "approval eve.sig:"));
  CHECK(c.approvals.size() == 1);
}

TEST_CASE("a consumed request cannot be replayed", "[approval]") {
  Request r;
  r.consumed.insert(parse_plan(r.bytes)->request_id);
  auto c = r.check({r.approval(r.people.bob, "b.sig"), r.approval(r.people.carol, "c.sig")});
  CHECK(mentions(c, "was already used by an earlier run"));
}

TEST_CASE("a tampered plan fails its requester's signature and every approval", "[approval]") {
  Request r;
  auto approvals = std::vector<SignatureFile>{r.approval(r.people.bob, "b.sig"),
                                              r.approval(r.people.carol, "c.sig")};
  std::string tampered = r.bytes;
  tampered.replace(tampered.find("\"port\": 5432"), 12, "\"port\": 5433");
  auto c = check_request("PLAN.json", tampered, r.requester, approvals, expectation(), r.signers,
                         "dave@dba.example.org", {}, r.rule, kNow);
  CHECK(mentions(c, "the requester's signature does not verify"));
  CHECK(mentions(c, "approval b.sig:"));
  CHECK(mentions(c, "0 of 2 required"));
}

TEST_CASE("an approver outside the policy's patterns does not count", "[approval]") {
  Request r;
  r.rule = patterns_rule({"*@security.example.org"});
  auto c = r.check({r.approval(r.people.bob, "b.sig"), r.approval(r.people.carol, "c.sig")});
  CHECK(mentions(c, "is not among the approvers the policies name (*@security.example.org)"));
}

TEST_CASE("approvals made with ssh-keygen -Y sign are accepted", "[approval]") {
  Request r;
  test::TempDir dir;
  const std::string plan = dir.write("PLAN.json", r.bytes);
  for (const auto& [name, key] :
       {std::pair<std::string, const crypto::PrivateKey*>{"bob", &r.people.bob},
        {"carol", &r.people.carol}}) {
    REQUIRE(key->write_openssh(dir / name, name).ok());
    auto signed_ = util::run_process(
        {"ssh-keygen", "-q", "-Y", "sign", "-n", "safedb-approval", "-f", dir / name, plan});
    REQUIRE(signed_.ok());
    REQUIRE(signed_->exit_code == 0);
    std::rename((plan + ".sig").c_str(), (dir / (name + ".sig")).c_str());
  }
  std::vector<SignatureFile> approvals;
  for (const char* name : {"bob.sig", "carol.sig"}) {
    std::ifstream in(dir / name);
    approvals.push_back({name, std::string(std::istreambuf_iterator<char>(in), {})});
  }
  auto c = r.check(approvals);
  INFO((c.problems.empty() ? "" : c.problems[0]));
  CHECK(c.problems.empty());
  CHECK(c.approvals.size() == 2);
}
