#include <catch2/catch.hpp>

#include <string>

#include "audit/audit_fixture.h"
#include "safedb/audit/record.h"
#include "safedb/crypto/sshsig.h"
#include "safedb/util/utc_time.h"

using namespace safedb;
using namespace safedb::audit;
using namespace safedb::util;

namespace {

Record draft_record() {
  Record draft;
  draft.seq = 3;
  draft.time = "2025-03-04T05:06:07Z";
  draft.type = "intent";
  draft.actor = "alice@example.com";
  draft.prev = std::string(64, 'a');
  draft.payload = {
      {"run_id", "r1"}, {"target", "prod"}, {"note", "caf\xc3\xa9 \u2014 \"quoted\"\n"}};
  return draft;
}

std::string signed_line(const crypto::PrivateKey& key) {
  Record draft = draft_record();
  draft.key = key.public_key().fingerprint();
  auto line = sign_record(draft, key);
  REQUIRE(line.ok());
  return *line;
}

// The line with `from` replaced by `to` once (the signature no longer matters).
std::string edited(std::string line, const std::string& from, const std::string& to) {
  const auto at = line.find(from);
  REQUIRE(at != std::string::npos);
  return line.replace(at, from.size(), to);
}

void require_rejected(const std::string& line, const std::string& reason) {
  auto record = parse_record(line);
  REQUIRE_FALSE(record.ok());
  CHECK_THAT(record.error().message(), Catch::Contains(reason));
}

}  // namespace

TEST_CASE("a signed record reads back with every field", "[audit]") {
  const auto key = crypto::PrivateKey::generate();
  auto record = parse_record(signed_line(key));
  REQUIRE(record.ok());
  CHECK(record->seq == 3);
  CHECK(record->unix_time == 1741064767);
  CHECK(record->actor == "alice@example.com");
  CHECK(record->key == key.public_key().fingerprint());
  CHECK(record->payload == draft_record().payload);
}

TEST_CASE("the signed bytes are the stored line without its sig member", "[audit]") {
  const auto key = crypto::PrivateKey::generate();
  const std::string line = signed_line(key);
  auto split = split_signature(line);
  REQUIRE(split.ok());
  // What `sed -E 's/,"sig":"[^"]*"}$/}/'` prints.
  const std::string body = line.substr(0, line.rfind(",\"sig\":\"")) + "}";
  CHECK(split->body == body);
  CHECK(line.starts_with(split->body.substr(0, split->body.size() - 1)));
  auto signer = crypto::verify(split->sig, split->body, kNamespace);
  REQUIRE(signer.ok());
  CHECK(*signer == key.public_key());
}

TEST_CASE("a record with the same key twice is rejected", "[audit]") {
  const std::string line = signed_line(crypto::PrivateKey::generate());
  require_rejected(edited(line, "\"actor\":", "\"actor\":\"mallory@example.com\",\"actor\":"),
                   "\"actor\" appears twice");
  require_rejected(edited(line, "\"run_id\":", "\"run_id\":\"r0\",\"run_id\":"),
                   "\"run_id\" appears twice");
}

TEST_CASE("a record with a carriage return is rejected as CRLF rewriting", "[audit]") {
  const std::string line = signed_line(crypto::PrivateKey::generate());
  require_rejected(line + "\r", "CRLF");
}

TEST_CASE("a record with a raw control character is rejected", "[audit]") {
  const std::string line = signed_line(crypto::PrivateKey::generate());
  require_rejected(edited(line, "prod", "pr\tod"), "tab");
  require_rejected(edited(line, "prod",
                          std::string("pr\x7f"
                                      "od")),
                   "control character 0x7f");
}

TEST_CASE("a record with invalid UTF-8 is rejected", "[audit]") {
  const std::string line = signed_line(crypto::PrivateKey::generate());
  require_rejected(edited(line, "prod", "pr\xc0\xafod"), "invalid UTF-8");      // overlong '/'
  require_rejected(edited(line, "prod", "pr\xed\xa0\x80od"), "invalid UTF-8");  // surrogate
  require_rejected(edited(line, "prod", "pr\xffod"), "invalid UTF-8");
}

TEST_CASE("a record with a missing, unknown or mistyped field is rejected", "[audit]") {
  const std::string line = signed_line(crypto::PrivateKey::generate());
  require_rejected(edited(line, "\"v\":1,", ""), "missing field \"v\"");
  require_rejected(edited(line, "\"v\":1,", "\"v\":1,\"extra\":true,"), "unknown field \"extra\"");
  require_rejected(edited(line, "\"seq\":3", "\"seq\":\"3\""), "seq");
  require_rejected(edited(line, "\"v\":1", "\"v\":2"), "format version 2");
  require_rejected(edited(line, "2025-03-04T05:06:07Z", "2025-02-30T05:06:07Z"),
                   "not a valid date");
  require_rejected(edited(line, "\"run_id\":\"r1\",", ""), "run_id");
}

TEST_CASE("a record whose sig is not its last member is rejected", "[audit]") {
  const std::string line = signed_line(crypto::PrivateKey::generate());
  const std::string sig = line.substr(line.rfind(",\"sig\":"));
  const std::string moved = "{" + sig.substr(1, sig.size() - 2) + "," +
                            line.substr(1, line.size() - sig.size() - 1) + "}";
  require_rejected(moved, "does not end with a \"sig\" member");
}

TEST_CASE("a payload that would not read back is refused before writing", "[audit]") {
  const auto key = crypto::PrivateKey::generate();
  Record draft = draft_record();
  draft.key = key.public_key().fingerprint();
  draft.payload["bad"] = std::string("\x7f");
  CHECK_FALSE(sign_record(draft, key).ok());
  draft.payload["bad"] = std::string("\xff");
  CHECK_FALSE(sign_record(draft, key).ok());
}

TEST_CASE("record times are strict UTC and round-trip", "[audit]") {
  for (std::int64_t t : {0LL, 951782400LL, 1741064767LL, 4102444799LL}) {
    auto back = parse_utc(format_utc(t));
    REQUIRE(back.ok());
    CHECK(*back == t);
  }
  CHECK(format_utc(951782400) == "2000-02-29T00:00:00Z");
  CHECK_FALSE(parse_utc("2025-03-04 05:06:07Z").ok());
  CHECK_FALSE(parse_utc("2025-03-04T05:06:07+00:00").ok());
  CHECK_FALSE(parse_utc("2023-02-29T00:00:00Z").ok());
  CHECK_FALSE(parse_utc("2025-03-04T24:00:00Z").ok());
}
