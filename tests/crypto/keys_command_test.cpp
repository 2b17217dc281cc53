#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "crypto/crypto_test_support.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/keys.h"
#include "safedb/crypto/sshsig.h"
#include "support/cli_runner.h"

using namespace safedb;
using namespace safedb::crypto;
using safedb::test::TempDir;

TEST_CASE("safedb keys generate writes a key pair and prints its allowed_signers line",
          "[crypto][cli]") {
  TempDir dir;
  std::string path = dir / "signing_key";
  util::ProcessResult result = test::run(
      {SAFEDB_BINARY, "keys", "generate", "--out", path, "--principal", "alice@example.com"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(test::file_mode(path) == 0600);
  CHECK(test::file_mode(path + ".pub") == 0644);

  auto key = PrivateKey::load(path);
  REQUIRE(key.ok());
  CHECK(key->native());
  CHECK(result.out == "alice@example.com namespaces=\"safedb-audit,safedb-approval\" " +
                          key->public_key().openssh() + "\n");
  CHECK(test::read_file(path + ".pub") == key->public_key().openssh() + " alice@example.com\n");
  CHECK_THAT(result.err, Catch::Contains(key->public_key().fingerprint()));

  // The printed line is an allowed_signers file for safedb and for ssh-keygen.
  auto signers = AllowedSigners::parse(result.out, "printed");
  REQUIRE(signers.ok());
  auto principals = signers->principals_for(key->public_key(), kApprovalNamespace, 0);
  REQUIRE(principals.ok());
  CHECK(*principals == std::vector<std::string>{"alice@example.com"});
  test::write_file(dir / "allowed_signers", result.out, 0644);
  std::string signature =
      test::run_ok({"ssh-keygen", "-Y", "sign", "-f", path, "-n", "safedb-approval"}, "plan\n");
  test::write_file(dir / "plan.sig", signature, 0644);
  CHECK(test::run({"ssh-keygen", "-Y", "verify", "-f", dir / "allowed_signers", "-I",
                   "alice@example.com", "-n", "safedb-approval", "-s", dir / "plan.sig"},
                  "plan\n")
            .exit_code == 0);
}

TEST_CASE("safedb keys generate uses --comment for the key comment", "[crypto][cli]") {
  TempDir dir;
  std::string path = dir / "k";
  test::run_ok({SAFEDB_BINARY, "keys", "generate", "--out", path, "--principal", "ci@example.com",
                "--comment", "CI runner 7"});
  CHECK_THAT(test::read_file(path + ".pub"), Catch::EndsWith(" CI runner 7\n"));
}

TEST_CASE("safedb keys generate refuses to overwrite a key", "[crypto][cli]") {
  TempDir dir;
  std::string path = dir / "k";
  test::write_file(path, "precious\n");
  util::ProcessResult result =
      test::run({SAFEDB_BINARY, "keys", "generate", "--out", path, "--principal", "a@example.com"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("safedb: error:") && Catch::Contains("already exists"));
  CHECK(test::read_file(path) == "precious\n");
  CHECK(result.out.empty());
}

TEST_CASE("safedb keys generate refuses a principal with spaces or quotes", "[crypto][cli]") {
  TempDir dir;
  for (std::string principal : {"two words", "quo\"te", ""}) {
    util::ProcessResult result = test::run(
        {SAFEDB_BINARY, "keys", "generate", "--out", dir / "k", "--principal", principal});
    CHECK(result.exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(dir / "k"));
  }
}

TEST_CASE("safedb keys without a subcommand is a usage error", "[crypto][cli]") {
  CHECK(test::run({SAFEDB_BINARY, "keys"}).exit_code == 2);
}

TEST_CASE(
    "without a loadable libcrypto, commands that sign fail with one line and check still works",
    "[crypto][cli]") {
  // A file that is no shared library, found first through LD_LIBRARY_PATH.
  TempDir dir;
  dir.write("lib/libcrypto.so.3", "not a shared library\n");
  const std::string env = "LD_LIBRARY_PATH=" + dir.path() + "/lib";
  const std::string key = dir.path() + "/key";
  auto keys = test::run_safedb({"keys", "generate", "--out", key, "--principal", "a@example.com"},
                               {}, {env});
  CHECK(keys.exit_code == 2);
  CHECK(keys.err.starts_with("safedb: error: cannot load libcrypto.so.3 (OpenSSL's libcrypto): "));
  CHECK(std::count(keys.err.begin(), keys.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(key));

  // An offline check never opens libcrypto.
  auto check = test::run_safedb({"check", dir.write("ok.sql", "SELECT 1;\n")}, {}, {env});
  CHECK(check.exit_code == 0);
  CHECK(check.err.empty());
}
