#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "crypto/crypto_test_support.h"
#include "safedb/crypto/hash.h"
#include "safedb/crypto/keys.h"

using namespace safedb;
using namespace safedb::crypto;
using safedb::test::TempDir;

namespace {

std::array<std::uint8_t, 32> array32(std::string_view hex) {
  auto bytes = from_hex(hex);
  REQUIRE(bytes.ok());
  REQUIRE(bytes->size() == 32);
  std::array<std::uint8_t, 32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// "SHA256:..." from `ssh-keygen -lf`'s "256 SHA256:... comment (ED25519)".
std::string ssh_keygen_fingerprint(const std::string& path) {
  std::string out = test::run_ok({"ssh-keygen", "-l", "-E", "sha256", "-f", path});
  std::size_t start = out.find(' ') + 1;
  return out.substr(start, out.find(' ', start) - start);
}

}  // namespace

TEST_CASE("RFC 8032 test 1: the empty message signs to the published signature", "[crypto]") {
  PrivateKey key = PrivateKey::from_seed(
      array32("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  CHECK(to_hex(key.public_key().bytes()) ==
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto sig = key.sign_raw({});
  REQUIRE(sig.ok());
  CHECK(to_hex(*sig) ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
        "f9b46bd25bf5f0595bbe24655141438e7a100b");
}

TEST_CASE("a key made by ssh-keygen -N '' loads natively with ssh-keygen's fingerprint",
          "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  auto key = PrivateKey::load(path);
  REQUIRE(key.ok());
  CHECK(key->native());
  CHECK(key->path() == path);
  CHECK(key->public_key().fingerprint() == ssh_keygen_fingerprint(path));
  auto pub = PublicKey::parse_openssh(test::read_file(path + ".pub"));
  REQUIRE(pub.ok());
  CHECK(*pub == key->public_key());
}

TEST_CASE("a public key prints as ssh-keygen wrote it, without the comment", "[crypto]") {
  TempDir dir;
  std::string path = dir / "k";
  test::ssh_keygen_ed25519(path, "", "someone@example.com");
  std::string line = test::first_line(test::read_file(path + ".pub"));
  auto pub = PublicKey::parse_openssh(line);
  REQUIRE(pub.ok());
  CHECK(pub->openssh() + " someone@example.com" == line);
  auto again = PublicKey::parse_wire(pub->wire());
  REQUIRE(again.ok());
  CHECK(*again == *pub);
}

TEST_CASE("a public key of another type is refused, naming the type", "[crypto]") {
  TempDir dir;
  std::string path = dir / "rsa";
  test::run_ok({"ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", path});
  auto pub = PublicKey::parse_openssh(test::read_file(path + ".pub"));
  REQUIRE_FALSE(pub.ok());
  CHECK_THAT(pub.error().message(), Catch::Contains("ssh-rsa is not supported"));
  auto key = PrivateKey::load(path);
  REQUIRE_FALSE(key.ok());
  CHECK_THAT(key.error().message(), Catch::Contains("ssh-rsa is not supported"));
}

TEST_CASE("a public key whose blob names another type than its text is refused", "[crypto]") {
  // "ssh-ed25519" text in front of an ssh-rsa blob.
  TempDir dir;
  std::string path = dir / "rsa";
  test::run_ok({"ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", path});
  std::string line = test::read_file(path + ".pub");
  line.replace(0, line.find(' '), "ssh-ed25519");
  CHECK_FALSE(PublicKey::parse_openssh(line).ok());
}

TEST_CASE("a PKCS#8 PEM key made by openssl genpkey loads natively", "[crypto]") {
  TempDir dir;
  std::string path = dir / "key.pem";
  test::run_ok({"openssl", "genpkey", "-algorithm", "ed25519", "-out", path});
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  auto key = PrivateKey::load(path);
  INFO((key.ok() ? "" : key.error().message()));
  REQUIRE(key.ok());
  CHECK(key->native());
  // The same public key as OpenSSL derives.
  std::string der_pub =
      test::run_ok({"openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"});
  REQUIRE(der_pub.size() == 44);
  CHECK(std::equal(key->public_key().bytes().begin(), key->public_key().bytes().end(),
                   reinterpret_cast<const std::uint8_t*>(der_pub.data()) + 12));
}

TEST_CASE("a private key readable by group or others is refused like ssh does", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602}) {
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    auto key = PrivateKey::load(path);
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().code() == ExitCode::usage);
    CHECK_THAT(key.error().message(), Catch::Contains(path) && Catch::Contains("too open") &&
                                          Catch::Contains(fmt::format("{:04o}", mode)));
  }
  REQUIRE(::chmod(path.c_str(), 0400) == 0);
  CHECK(PrivateKey::load(path).ok());
}

TEST_CASE("a PKCS#8 key readable by others is refused too", "[crypto]") {
  TempDir dir;
  std::string path = dir / "key.pem";
  test::run_ok({"openssl", "genpkey", "-algorithm", "ed25519", "-out", path});
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  CHECK_FALSE(PrivateKey::load(path).ok());
}

TEST_CASE("a passphrase-protected key loads as delegated with its public key", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path, "correct horse");
  auto key = PrivateKey::load(path);
  REQUIRE(key.ok());
  CHECK_FALSE(key->native());
  CHECK(key->public_key().fingerprint() == ssh_keygen_fingerprint(path + ".pub"));
  // Its public half is in the file itself: no .pub needed.
  std::filesystem::remove(path + ".pub");
  auto without_pub = PrivateKey::load(path);
  REQUIRE(without_pub.ok());
  CHECK(without_pub->public_key() == key->public_key());
  auto raw = key->sign_raw({});
  REQUIRE_FALSE(raw.ok());
  CHECK_THAT(raw.error().message(), Catch::Contains("ssh-keygen"));
}

TEST_CASE("an encrypted PKCS#8 key is delegated and needs its .pub", "[crypto]") {
  TempDir dir;
  std::string path = dir / "key.pem";
  test::run_ok({"openssl", "genpkey", "-algorithm", "ed25519", "-aes-256-cbc", "-pass", "pass:pw",
                "-out", path});
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  auto no_pub = PrivateKey::load(path);
  REQUIRE_FALSE(no_pub.ok());
  CHECK_THAT(no_pub.error().message(), Catch::Contains(path + ".pub"));

  PrivateKey other = PrivateKey::generate();
  test::write_file(path + ".pub", other.public_key().openssh() + " comment\n", 0644);
  auto key = PrivateKey::load(path);
  REQUIRE(key.ok());
  CHECK_FALSE(key->native());
  CHECK(key->public_key() == other.public_key());
}

TEST_CASE("a public key file stands for a key held in ssh-agent and is delegated", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  auto key = PrivateKey::load(path + ".pub");  // 0644 is fine for a public key
  REQUIRE(key.ok());
  CHECK_FALSE(key->native());
  CHECK(key->public_key().fingerprint() == ssh_keygen_fingerprint(path));
}

TEST_CASE("a .pub that is not the key's public half is refused", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  test::write_file(path + ".pub", PrivateKey::generate().public_key().openssh() + "\n", 0644);
  auto key = PrivateKey::load(path);
  REQUIRE_FALSE(key.ok());
  CHECK_THAT(key.error().message(), Catch::Contains("is not the public half"));
}

TEST_CASE("a missing or unreadable key file fails naming the path", "[crypto]") {
  TempDir dir;
  auto missing = PrivateKey::load(dir / "nope");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message(), Catch::Contains(dir / "nope"));
  test::write_file(dir / "junk", "hello\n");
  auto junk = PrivateKey::load(dir / "junk");
  REQUIRE_FALSE(junk.ok());
  CHECK_THAT(junk.error().message(), Catch::Contains("not a key file"));
}

TEST_CASE("a corrupted OpenSSH key file is refused", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  std::string text = test::read_file(path);
  std::size_t at = text.find('\n') + 200;  // inside the private section
  text[at] = text[at] == 'A' ? 'B' : 'A';
  test::write_file(path, text);
  CHECK_FALSE(PrivateKey::load(path).ok());
}

TEST_CASE("a key written by write_openssh is a key ssh-keygen reads", "[crypto]") {
  TempDir dir;
  std::string path = dir / "written";
  PrivateKey key = PrivateKey::generate();
  REQUIRE(key.write_openssh(path, "ops@example.com").ok());
  CHECK(test::file_mode(path) == 0600);
  CHECK(test::file_mode(path + ".pub") == 0644);
  CHECK(test::read_file(path + ".pub") == key.public_key().openssh() + " ops@example.com\n");
  // ssh-keygen derives the same public key and comment from the private file.
  CHECK(test::run_ok({"ssh-keygen", "-y", "-f", path}) ==
        key.public_key().openssh() + " ops@example.com\n");
  CHECK(ssh_keygen_fingerprint(path) == key.public_key().fingerprint());
  auto loaded = PrivateKey::load(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->native());
  CHECK(loaded->public_key() == key.public_key());
  std::vector<std::uint8_t> message{1, 2, 3};
  CHECK(*loaded->sign_raw(message) == *key.sign_raw(message));
}

TEST_CASE("write_openssh refuses to overwrite the key or its .pub", "[crypto]") {
  TempDir dir;
  PrivateKey key = PrivateKey::generate();
  test::write_file(dir / "a", "precious\n");
  auto over_key = key.write_openssh(dir / "a", "");
  REQUIRE_FALSE(over_key.ok());
  CHECK_THAT(over_key.error().message(), Catch::Contains("already exists"));
  CHECK(test::read_file(dir / "a") == "precious\n");

  test::write_file(dir / "b.pub", "precious\n", 0644);
  REQUIRE_FALSE(key.write_openssh(dir / "b", "").ok());
  CHECK_FALSE(std::filesystem::exists(dir / "b"));
  CHECK(test::read_file(dir / "b.pub") == "precious\n");
}

TEST_CASE("a loaded key can be forced through the delegated path", "[crypto]") {
  TempDir dir;
  std::string path = dir / "id_ed25519";
  test::ssh_keygen_ed25519(path);
  auto key = PrivateKey::load_delegated(path);
  REQUIRE(key.ok());
  CHECK_FALSE(key->native());
  CHECK_FALSE(key->sign_raw({}).ok());
  CHECK_FALSE(key->write_openssh(dir / "copy", "").ok());
}
