#include <catch2/catch.hpp>

#include "crypto/crypto_test_support.h"
#include "crypto/ssh_wire.h"
#include "safedb/crypto/hash.h"
#include "safedb/crypto/sshsig.h"

using namespace safedb;
using namespace safedb::crypto;
using safedb::test::TempDir;

namespace {

const std::string kMessage =
    "{\"seq\":1,\"event\":\"intent\",\"sql\":\"DELETE FROM t WHERE id = 1\"}\n";

// An allowed_signers file trusting `key` as `principal`, written in `dir`.
std::string allowed_signers_for(const TempDir& dir, const PublicKey& key,
                                const std::string& principal = "ops@example.com",
                                const std::string& options = "") {
  std::string path = dir / "allowed_signers";
  std::string line =
      principal + " " + (options.empty() ? "" : options + " ") + key.openssh() + "\n";
  test::write_file(path, line, 0644);
  return path;
}

// `ssh-keygen -Y verify` on `signature` over `message`.
util::ProcessResult ssh_keygen_verify(const TempDir& dir, const std::string& allowed,
                                      const std::string& signature, const std::string& message,
                                      const std::string& ns = "safedb-audit",
                                      const std::string& principal = "ops@example.com") {
  std::string sig_path = dir / "message.sig";
  test::write_file(sig_path, signature, 0644);
  return test::run(
      {"ssh-keygen", "-Y", "verify", "-f", allowed, "-I", principal, "-n", ns, "-s", sig_path},
      message);
}

// The parts of an SSHSIG blob, to build well-formed and malformed ones.
struct Parts {
  std::string magic = "SSHSIG";
  std::uint32_t version = 1;
  std::vector<std::uint8_t> public_key;
  std::string ns = "safedb-audit";
  std::string reserved;
  std::string hash = "sha512";
  std::string sig_type = "ssh-ed25519";
  std::vector<std::uint8_t> raw_signature;
  std::vector<std::uint8_t> inside_trailer;  // after the signature, inside its string
  std::vector<std::uint8_t> trailer;         // after the blob
};

// A blob signed by `key` over `message` as described by `parts`. Only a
// sha256 blob carries the message's real digest.
std::vector<std::uint8_t> build(const PrivateKey& key, Parts parts, std::string_view message) {
  if (parts.public_key.empty()) parts.public_key = key.public_key().wire();
  std::vector<std::uint8_t> digest;
  if (parts.hash == "sha256") {
    Digest d = sha256(message);
    digest.assign(d.begin(), d.end());
  } else {
    digest.assign(64, 0x5a);  // never checked: these blobs fail before the signature is
  }
  std::vector<std::uint8_t> to_sign;
  wire::put_bytes(to_sign, "SSHSIG");
  wire::put_string(to_sign, parts.ns);
  wire::put_string(to_sign, parts.reserved);
  wire::put_string(to_sign, parts.hash);
  wire::put_string(to_sign, digest);
  if (parts.raw_signature.empty()) {
    auto raw = key.sign_raw(to_sign);
    REQUIRE(raw.ok());
    parts.raw_signature.assign(raw->begin(), raw->end());
  }
  std::vector<std::uint8_t> signature;
  wire::put_string(signature, parts.sig_type);
  wire::put_string(signature, parts.raw_signature);
  wire::put_bytes(signature, parts.inside_trailer);

  std::vector<std::uint8_t> blob;
  wire::put_bytes(blob, parts.magic);
  wire::put_u32(blob, parts.version);
  wire::put_string(blob, parts.public_key);
  wire::put_string(blob, parts.ns);
  wire::put_string(blob, parts.reserved);
  wire::put_string(blob, parts.hash);
  wire::put_string(blob, signature);
  wire::put_bytes(blob, parts.trailer);
  return blob;
}

std::string rejection(const std::vector<std::uint8_t>& blob, std::string_view message = kMessage,
                      std::string_view ns = kAuditNamespace) {
  auto result = verify(base64_encode(blob), message, ns);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code() == ExitCode::no);
  return result.error().message();
}

}  // namespace

TEST_CASE("what safedb signs verifies with ssh-keygen -Y verify", "[crypto]") {
  TempDir dir;
  PrivateKey key = PrivateKey::generate();
  auto sig = sign(key, kMessage, kAuditNamespace);
  REQUIRE(sig.ok());
  std::string allowed = allowed_signers_for(dir, key.public_key());
  util::ProcessResult result = ssh_keygen_verify(dir, allowed, sig->armored(), kMessage);
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out + result.err,
             Catch::Contains("Good \"safedb-audit\" signature for ops@example.com"));
}

TEST_CASE("ssh-keygen rejects a safedb signature over a changed message", "[crypto]") {
  TempDir dir;
  PrivateKey key = PrivateKey::generate();
  auto sig = sign(key, kMessage, kAuditNamespace);
  REQUIRE(sig.ok());
  std::string allowed = allowed_signers_for(dir, key.public_key());
  CHECK(ssh_keygen_verify(dir, allowed, sig->armored(), kMessage + "x").exit_code != 0);
}

TEST_CASE("safedb armour is byte for byte what ssh-keygen writes", "[crypto]") {
  // Ed25519 is deterministic, so the same key, namespace and message give
  // ssh-keygen's exact signature file.
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  auto key = PrivateKey::load(path);
  REQUIRE(key.ok());
  std::string theirs =
      test::run_ok({"ssh-keygen", "-Y", "sign", "-f", path, "-n", "safedb-audit"}, kMessage);
  auto ours = sign(*key, kMessage, kAuditNamespace);
  REQUIRE(ours.ok());
  CHECK(ours->armored() == theirs);
}

TEST_CASE("what ssh-keygen -Y sign produces verifies in safedb", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  std::string signature =
      test::run_ok({"ssh-keygen", "-Y", "sign", "-f", path, "-n", "safedb-audit"}, kMessage);
  auto signer = verify(signature, kMessage, kAuditNamespace);
  INFO((signer.ok() ? "" : signer.error().message()));
  REQUIRE(signer.ok());
  auto pub = PublicKey::parse_openssh(test::read_file(path + ".pub"));
  REQUIRE(pub.ok());
  CHECK(*signer == *pub);
}

TEST_CASE("an ssh-keygen signature with the sha256 hash verifies", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  std::string signature = test::run_ok(
      {"ssh-keygen", "-Y", "sign", "-f", path, "-n", "safedb-approval", "-O", "hashalg=sha256"},
      kMessage);
  REQUIRE_THAT(signature, Catch::StartsWith("-----BEGIN SSH SIGNATURE-----"));
  CHECK(verify(signature, kMessage, kApprovalNamespace).ok());
}

TEST_CASE("a signature verifies in its one-line base64 form", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto sig = sign(key, kMessage, kAuditNamespace);
  REQUIRE(sig.ok());
  CHECK(sig->base64().find('\n') == std::string::npos);
  auto signer = verify(sig->base64(), kMessage, kAuditNamespace);
  REQUIRE(signer.ok());
  CHECK(*signer == key.public_key());
}

TEST_CASE("a key written by write_openssh signs with ssh-keygen and verifies in safedb",
          "[crypto]") {
  TempDir dir;
  std::string path = dir / "written";
  PrivateKey key = PrivateKey::generate();
  REQUIRE(key.write_openssh(path, "ops@example.com").ok());
  std::string signature =
      test::run_ok({"ssh-keygen", "-Y", "sign", "-f", path, "-n", "safedb-audit"}, kMessage);
  auto signer = verify(signature, kMessage, kAuditNamespace);
  REQUIRE(signer.ok());
  CHECK(*signer == key.public_key());
}

TEST_CASE("delegated signing runs ssh-keygen and its signature verifies", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  auto key = PrivateKey::load_delegated(path);
  REQUIRE(key.ok());
  REQUIRE_FALSE(key->native());
  auto sig = sign(*key, kMessage, kAuditNamespace);
  INFO((sig.ok() ? "" : sig.error().message()));
  REQUIRE(sig.ok());
  auto signer = verify(sig->armored(), kMessage, kAuditNamespace);
  REQUIRE(signer.ok());
  CHECK(*signer == key->public_key());
  std::string allowed = allowed_signers_for(dir, key->public_key());
  CHECK(ssh_keygen_verify(dir, allowed, sig->armored(), kMessage).exit_code == 0);
}

TEST_CASE("a passphrase-protected key signs through ssh-keygen with SSH_ASKPASS", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path, "correct horse");
  std::string askpass = dir / "askpass.sh";
  test::write_file(askpass, "#!/bin/sh\necho 'correct horse'\n", 0700);
  test::ScopedEnv program("SSH_ASKPASS", askpass);
  test::ScopedEnv force("SSH_ASKPASS_REQUIRE", "force");
  auto key = PrivateKey::load(path);
  REQUIRE(key.ok());
  REQUIRE_FALSE(key->native());
  auto sig = sign(*key, kMessage, kApprovalNamespace);
  INFO((sig.ok() ? "" : sig.error().message()));
  REQUIRE(sig.ok());
  CHECK(*verify(sig->armored(), kMessage, kApprovalNamespace) == key->public_key());
}

TEST_CASE("delegated signing with a wrong passphrase fails with ssh-keygen's reason", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path, "correct horse");
  std::string askpass = dir / "askpass.sh";
  test::write_file(askpass, "#!/bin/sh\necho 'wrong'\n", 0700);
  test::ScopedEnv program("SSH_ASKPASS", askpass);
  test::ScopedEnv force("SSH_ASKPASS_REQUIRE", "force");
  auto key = PrivateKey::load(path);
  REQUIRE(key.ok());
  auto sig = sign(*key, kMessage, kAuditNamespace);
  REQUIRE_FALSE(sig.ok());
  CHECK_THAT(sig.error().message(), Catch::Contains("ssh-keygen could not sign with " + path));
}

TEST_CASE("a key held in ssh-agent signs through its public key file", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  std::string socket = dir / "agent.sock";
  std::string started = test::run_ok({"ssh-agent", "-a", socket, "-s"});
  std::size_t pid_at = started.find("SSH_AGENT_PID=");
  REQUIRE(pid_at != std::string::npos);
  std::string agent_pid = started.substr(pid_at + 14, started.find(';', pid_at) - pid_at - 14);
  struct StopAgent {
    std::string pid;
    ~StopAgent() { (void)util::run_process({"kill", pid}); }
  } stop_agent{agent_pid};
  test::ScopedEnv sock("SSH_AUTH_SOCK", socket);
  test::run_ok({"ssh-add", "-q", path});
  std::filesystem::remove(path);  // only the agent has the private half now

  auto key = PrivateKey::load(path + ".pub");
  REQUIRE(key.ok());
  auto sig = sign(*key, kMessage, kAuditNamespace);
  INFO((sig.ok() ? "" : sig.error().message()));
  REQUIRE(sig.ok());
  CHECK(*verify(sig->armored(), kMessage, kAuditNamespace) == key->public_key());
}

TEST_CASE("a signature for another namespace is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto sig = sign(key, kMessage, kApprovalNamespace);
  REQUIRE(sig.ok());
  auto result = verify(sig->armored(), kMessage, kAuditNamespace);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code() == ExitCode::no);
  CHECK_THAT(result.error().message(),
             Catch::Contains("namespace \"safedb-approval\", not \"safedb-audit\""));
}

TEST_CASE("a git commit signature (ssh-keygen -n git) is rejected", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  std::string signature =
      test::run_ok({"ssh-keygen", "-Y", "sign", "-f", path, "-n", "git"}, kMessage);
  auto result = verify(signature, kMessage, kApprovalNamespace);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message(), Catch::Contains("namespace \"git\""));
}

TEST_CASE("a signature over a tampered message is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto sig = sign(key, kMessage, kAuditNamespace);
  REQUIRE(sig.ok());
  std::string tampered = kMessage;
  tampered[tampered.find('1')] = '2';
  auto result = verify(sig->armored(), tampered, kAuditNamespace);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message(), Catch::Contains("does not verify"));
  CHECK_FALSE(verify(sig->armored(), kMessage + "\n", kAuditNamespace).ok());
  CHECK_FALSE(verify(sig->armored(), "", kAuditNamespace).ok());
}

TEST_CASE("a signature claiming one key but made by another is rejected", "[crypto]") {
  PrivateKey signer = PrivateKey::generate();
  PrivateKey claimed = PrivateKey::generate();
  Parts parts;
  parts.public_key = claimed.public_key().wire();
  CHECK_THAT(rejection(build(signer, parts, kMessage)), Catch::Contains("does not verify"));
}

TEST_CASE("a flipped bit in the signature value is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto sig = sign(key, kMessage, kAuditNamespace);
  REQUIRE(sig.ok());
  std::vector<std::uint8_t> blob = sig->blob;
  blob[blob.size() - 10] ^= 0x01;
  CHECK_THAT(rejection(blob), Catch::Contains("does not verify"));
}

TEST_CASE("trailing bytes after the signature blob are rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  Parts parts;
  parts.trailer = {0};
  CHECK_THAT(rejection(build(key, parts, kMessage)),
             Catch::Contains("the SSH signature has 1 byte left over after its end"));
  auto sig = sign(key, kMessage, kAuditNamespace);
  std::vector<std::uint8_t> blob = sig->blob;
  blob.insert(blob.end(), {'x', 'y', 'z'});
  CHECK_THAT(rejection(blob), Catch::Contains("3 bytes left over"));
}

TEST_CASE("trailing bytes inside the signature structure are rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  Parts parts;
  parts.inside_trailer = {0, 0, 0, 0};
  CHECK_THAT(rejection(build(key, parts, kMessage)),
             Catch::Contains("signature value has 4 bytes left over"));
}

TEST_CASE("a hash algorithm other than sha256 or sha512 is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  for (std::string hash : {"sha1", "md5", "SHA512", "sha384", ""}) {
    Parts parts;
    parts.hash = hash;
    CHECK_THAT(rejection(build(key, parts, kMessage)),
               Catch::Contains("hash algorithm \"" + hash + "\""));
  }
}

TEST_CASE("a hand-built sha256 signature verifies, so the crafted blobs are faithful", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  Parts parts;
  parts.hash = "sha256";
  auto signer = verify(base64_encode(build(key, parts, kMessage)), kMessage, kAuditNamespace);
  REQUIRE(signer.ok());
  CHECK(*signer == key.public_key());
}

TEST_CASE("a signing key of another type than ssh-ed25519 is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  Parts parts;
  wire::put_string(parts.public_key, "ssh-rsa");
  wire::put_string(parts.public_key, std::string(3, '\1'));
  wire::put_string(parts.public_key, std::string(256, '\7'));
  CHECK_THAT(rejection(build(key, parts, kMessage)), Catch::Contains("ssh-rsa is not supported"));

  Parts sk;
  wire::put_string(sk.public_key, "sk-ssh-ed25519@openssh.com");
  wire::put_string(sk.public_key, key.public_key().bytes());
  wire::put_string(sk.public_key, "ssh:");
  CHECK_THAT(rejection(build(key, sk, kMessage)), Catch::Contains("sk-ssh-ed25519@openssh.com"));
}

TEST_CASE("a signature type that does not match the ssh-ed25519 key is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  Parts parts;
  parts.sig_type = "rsa-sha2-512";
  CHECK_THAT(rejection(build(key, parts, kMessage)),
             Catch::Contains("signature type \"rsa-sha2-512\" does not match"));
}

TEST_CASE("a signature value of the wrong length is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  Parts parts;
  parts.raw_signature.assign(63, 1);
  CHECK_THAT(rejection(build(key, parts, kMessage)), Catch::Contains("63 bytes, not 64"));
}

TEST_CASE("a blob without the SSHSIG magic is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  Parts parts;
  parts.magic = "SSHSIH";
  CHECK_THAT(rejection(build(key, parts, kMessage)),
             Catch::Contains("does not start with \"SSHSIG\""));
  CHECK_THAT(rejection({'S', 'S', 'H'}), Catch::Contains("SSHSIG"));
}

TEST_CASE("an SSHSIG version other than 1 is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  Parts parts;
  parts.version = 2;
  CHECK_THAT(rejection(build(key, parts, kMessage)), Catch::Contains("version 2 is not supported"));
}

TEST_CASE("a truncated signature blob is rejected", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto sig = sign(key, kMessage, kAuditNamespace);
  REQUIRE(sig.ok());
  for (std::size_t length :
       {std::size_t{6}, std::size_t{9}, std::size_t{40}, sig->blob.size() - 1}) {
    std::vector<std::uint8_t> cut(sig->blob.begin(), sig->blob.begin() + static_cast<long>(length));
    CHECK_THAT(rejection(cut), Catch::Contains("truncated"));
  }
}

TEST_CASE("bad armour is rejected, saying what is wrong", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto sig = sign(key, kMessage, kAuditNamespace);
  REQUIRE(sig.ok());
  std::string armored = sig->armored();

  std::string no_end = armored.substr(0, armored.find("-----END"));
  CHECK_THAT(verify(no_end, kMessage, kAuditNamespace).error().message(),
             Catch::Contains("armour is bad") && Catch::Contains("END SSH SIGNATURE"));

  std::string other_label = armored;
  other_label.replace(other_label.find("SSH SIGNATURE"), 13, "PGP SIGNATURE");
  CHECK_THAT(verify(other_label, kMessage, kAuditNamespace).error().message(),
             Catch::Contains("armour is bad"));

  std::string bad_char = armored;
  bad_char[armored.find('\n') + 5] = '!';
  CHECK_THAT(verify(bad_char, kMessage, kAuditNamespace).error().message(), Catch::Contains("'!'"));

  std::string after = armored + "extra\n";
  CHECK_THAT(verify(after, kMessage, kAuditNamespace).error().message(),
             Catch::Contains("text after"));
}

TEST_CASE("armour with CRLF line ends still verifies", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  auto sig = sign(key, kMessage, kAuditNamespace);
  REQUIRE(sig.ok());
  std::string crlf;
  for (char c : sig->armored()) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  CHECK(verify(crlf, kMessage, kAuditNamespace).ok());
}

TEST_CASE("bad one-line base64 and an empty signature are rejected", "[crypto]") {
  CHECK_THAT(verify("", kMessage, kAuditNamespace).error().message(), Catch::Contains("empty"));
  CHECK_THAT(verify("U1NIU0lH*", kMessage, kAuditNamespace).error().message(),
             Catch::Contains("not valid base64"));
  PrivateKey key = PrivateKey::generate();
  std::string one_line = sign(key, kMessage, kAuditNamespace)->base64();
  one_line.pop_back();
  CHECK_THAT(verify(one_line, kMessage, kAuditNamespace).error().message(),
             Catch::Contains("not valid base64"));
}

TEST_CASE("signing needs a namespace", "[crypto]") {
  PrivateKey key = PrivateKey::generate();
  CHECK_FALSE(sign(key, kMessage, "").ok());
}

TEST_CASE("delegated signing without ssh-keygen on PATH fails saying so", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  auto key = PrivateKey::load_delegated(path);
  REQUIRE(key.ok());
  test::ScopedEnv no_path("PATH", dir.str());
  auto sig = sign(*key, kMessage, kAuditNamespace);
  REQUIRE_FALSE(sig.ok());
  CHECK_THAT(sig.error().message(), Catch::Contains("cannot run ssh-keygen"));
}
