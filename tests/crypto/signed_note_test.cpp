#include <catch2/catch.hpp>

#include "crypto/crypto_test_support.h"
#include "safedb/crypto/hash.h"
#include "safedb/crypto/signed_note.h"

using namespace safedb;
using namespace safedb::crypto;

namespace {

// The example of golang.org/x/mod/sumdb/note, an independent implementation.
const std::string kGoVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const std::string kGoPrivateSeed = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";  // 0x01 || seed
const std::string kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const std::string kGoNote =
    kGoText +
    "\n"
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

PrivateKey go_key() {
  auto typed = base64_decode(kGoPrivateSeed);
  REQUIRE(typed.ok());
  REQUIRE(typed->size() == 33);
  std::array<std::uint8_t, 32> seed{};
  std::copy(typed->begin() + 1, typed->end(), seed.begin());
  return PrivateKey::from_seed(seed);
}

const std::string kCheckpoint =
    "safedb.example/audit/prod\n42\nqINS1GRFhWHwdkUeqLEoP4vnn1B1JQpqOa/n3A1A8Ao=\n";

}  // namespace

TEST_CASE("the Go sumdb/note example key has the published hash and verifier key", "[crypto]") {
  PrivateKey key = go_key();
  CHECK(note_key_hash("PeterNeumann", key.public_key()) == 0xc74f20a3);
  CHECK(note_verifier_key("PeterNeumann", key.public_key()) == kGoVerifierKey);
  auto parsed = parse_note_verifier_key(kGoVerifierKey);
  REQUIRE(parsed.ok());
  CHECK(parsed->name == "PeterNeumann");
  CHECK(parsed->key == key.public_key());
}

TEST_CASE("signing the Go sumdb/note example text gives the published note", "[crypto]") {
  auto note = sign_note(kGoText, "PeterNeumann", go_key());
  REQUIRE(note.ok());
  CHECK(*note == kGoNote);
}

TEST_CASE("the published Go sumdb/note example verifies", "[crypto]") {
  auto text = verify_note(kGoNote, "PeterNeumann", go_key().public_key());
  REQUIRE(text.ok());
  CHECK(*text == kGoText);
}

TEST_CASE("a signed note round-trips through sign and verify", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto note = sign_note(kCheckpoint, "safedb.example/audit", key);
  REQUIRE(note.ok());
  CHECK_THAT(*note, Catch::StartsWith(kCheckpoint + "\n\u2014 safedb.example/audit "));
  auto text = verify_note(*note, "safedb.example/audit", key.public_key());
  REQUIRE(text.ok());
  CHECK(*text == kCheckpoint);
}

TEST_CASE("a note signed by a different key is rejected", "[crypto]") {
  PrivateKey signer = PrivateKey::generate();
  PrivateKey expected = PrivateKey::generate();
  auto note = sign_note(kCheckpoint, "safedb.example/audit", signer);
  REQUIRE(note.ok());
  auto result = verify_note(*note, "safedb.example/audit", expected.public_key());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code() == ExitCode::no);
  CHECK_THAT(result.error().message(), Catch::Contains("no signature by safedb.example/audit") &&
                                           Catch::Contains(expected.public_key().fingerprint()));
}

TEST_CASE("a note signed under another key name is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto note = sign_note(kCheckpoint, "other.example/log", key);
  REQUIRE(note.ok());
  CHECK_FALSE(verify_note(*note, "safedb.example/audit", key.public_key()).ok());
}

TEST_CASE("signatures by other keys are ignored when one by the key verifies", "[crypto]") {
  PrivateKey witness = PrivateKey::generate();
  PrivateKey log = PrivateKey::generate();
  auto by_witness = sign_note(kCheckpoint, "witness.example", witness);
  auto by_log = sign_note(kCheckpoint, "safedb.example/audit", log);
  REQUIRE(by_witness.ok());
  REQUIRE(by_log.ok());
  // The witness's line, an unknown type's line under the log's name, then the log's own.
  std::string note = *by_witness + "\u2014 safedb.example/audit AAAAAAAAAAAAAA==\n" +
                     by_log->substr(kCheckpoint.size() + 1);
  auto text = verify_note(note, "safedb.example/audit", log.public_key());
  INFO((text.ok() ? "" : text.error().message()));
  REQUIRE(text.ok());
  CHECK(*text == kCheckpoint);
  CHECK(verify_note(note, "witness.example", witness.public_key()).ok());
}

TEST_CASE("a note whose text was changed is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto note = sign_note(kCheckpoint, "safedb.example/audit", key);
  REQUIRE(note.ok());
  std::string tampered = *note;
  tampered.replace(tampered.find("42"), 2, "43");
  auto result = verify_note(tampered, "safedb.example/audit", key.public_key());
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message(), Catch::Contains("does not verify"));
}

TEST_CASE("malformed notes are rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  std::string note = *sign_note(kCheckpoint, "safedb.example/audit", key);
  PublicKey pub = key.public_key();
  auto rejects = [&](const std::string& bad) {
    auto result = verify_note(bad, "safedb.example/audit", pub);
    CHECK_FALSE(result.ok());
  };
  rejects(kCheckpoint);                                      // no signatures
  rejects(note.substr(0, note.size() - 1));                  // no final newline
  rejects(kCheckpoint + "\n- safedb.example/audit AAAA\n");  // not an em dash
  rejects(kCheckpoint + "\n\u2014 safedb.example/audit !!!!\n");
  rejects(kCheckpoint + "\n\u2014 safedb.example/audit\n");
  std::string with_cr = note;
  with_cr.insert(with_cr.find('\n'), "\r");
  rejects(with_cr);        // control characters
  rejects("\xff" + note);  // not UTF-8
}

TEST_CASE("note text that is empty, unterminated or has an empty line is not signed", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  CHECK_FALSE(sign_note("", "k", key).ok());
  CHECK_FALSE(sign_note("no newline", "k", key).ok());
  CHECK_FALSE(sign_note("a\n\nb\n", "k", key).ok());
  CHECK_FALSE(sign_note("\n", "k", key).ok());
  CHECK_FALSE(sign_note("tab\there\n", "k", key).ok());
}

TEST_CASE("note key names with spaces or plus signs are refused", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  CHECK_FALSE(sign_note(kCheckpoint, "", key).ok());
  CHECK_FALSE(sign_note(kCheckpoint, "a b", key).ok());
  CHECK_FALSE(sign_note(kCheckpoint, "a+b", key).ok());
  CHECK_FALSE(sign_note(kCheckpoint, "a\u00a0b", key).ok());
  CHECK(sign_note(kCheckpoint, "caf\u00e9.example/log", key).ok());
}

TEST_CASE("a delegated key cannot sign notes, saying why", "[crypto]") {
  test::TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  auto key = PrivateKey::load_delegated(path);
  REQUIRE(key.ok());
  auto note = sign_note(kCheckpoint, "safedb.example/audit", *key);
  REQUIRE_FALSE(note.ok());
  CHECK_THAT(note.error().message(), Catch::Contains("ssh-keygen cannot make"));
}

TEST_CASE("malformed note verifier keys are refused", "[crypto]") {
  CHECK_FALSE(parse_note_verifier_key("PeterNeumann").ok());
  CHECK_FALSE(
      parse_note_verifier_key("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .ok());
  CHECK_FALSE(
      parse_note_verifier_key("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .ok());
  CHECK_FALSE(
      parse_note_verifier_key("PeterNeumann+c74f20a3+AhpcwQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .ok());
  CHECK_FALSE(
      parse_note_verifier_key("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .ok());
  CHECK_FALSE(
      parse_note_verifier_key("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10")
          .ok());
}
