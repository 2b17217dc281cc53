#include <catch2/catch.hpp>

#include "safedb/config/config.h"
#include "support/cli_runner.h"

using namespace safedb;
using safedb::test::TempDir;

TEST_CASE("without safedb.json the defaults apply", "[config]") {
  TempDir dir;
  auto c = config::load("");  // the test's working directory has no safedb.json
  REQUIRE(c.ok());
  CHECK(c->path.empty());
  CHECK(c->execution.lock_timeout.count() == 5000);
  CHECK(c->targets.empty());
}

TEST_CASE("a named configuration file must exist", "[config]") {
  auto c = config::load("/nonexistent/safedb.json");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code() == ExitCode::usage);
  CHECK(c.error().message().find("/nonexistent/safedb.json: cannot read") == 0);
}

TEST_CASE("targets, paths and settings are read and relative paths resolved", "[config]") {
  TempDir dir;
  const std::string file = dir.write("conf/safedb.json", R"({
    // comment
    "version": 1,
    "targets": {"prod": {"dsn": "host=db dbname=app", "environment": "production"}},
    "audit": {"log": "logs/audit.jsonl", "witness": "/srv/witness"},
    "signing": {"key": "keys/id", "principal": "alice@example.org"},
    "execution": {"lock_timeout": "2s", "lock_retries": 5}
  })");
  auto c = config::load(file);
  REQUIRE(c.ok());
  CHECK(c->targets.at("prod").environment == "production");
  CHECK(c->targets.at("prod").dsn == "host=db dbname=app");
  CHECK(c->audit_log == dir.path() + "/conf/logs/audit.jsonl");
  CHECK(*c->witness == "/srv/witness");
  CHECK(*c->signing_key == dir.path() + "/conf/keys/id");
  CHECK(c->execution.lock_timeout.count() == 2000);
  CHECK(c->execution.lock_retries == 5);
  CHECK(c->execution.statement_timeout.count() == 0);
}

TEST_CASE("every problem in the file is reported with its line and key", "[config]") {
  TempDir dir;
  const std::string file = dir.write(
      "safedb.json",
      "{\n"
      "  \"targets\": {\n"
      "    \"prod\": {\"dsn\": \"host=db password=hunter2\", \"environment\": \"production\"},\n"
      "    \"dev\": {\"dns\": \"dbname=x\", \"environment\": \"development\"}\n"
      "  },\n"
      "  \"execution\": {\"lock_timeout\": 5, \"lock_retries\": -1},\n"
      "  \"polices\": \"p\"\n"
      "}\n");
  auto c = config::load(file);
  REQUIRE_FALSE(c.ok());
  const std::string& m = c.error().message();
  INFO(m);
  CHECK(m.find(file + ":3: targets.prod.dsn: contains a password") != std::string::npos);
  CHECK(m.find(file + ":4: targets.dev.dns: unknown key (did you mean \"dsn\"?)") !=
        std::string::npos);
  CHECK(m.find(file + ":4: targets.dev: needs \"dsn\"") != std::string::npos);
  CHECK(m.find(file + ":6: execution.lock_timeout: expected a string, found a number") !=
        std::string::npos);
  CHECK(m.find(file + ":6: execution.lock_retries: must be between 0 and 100") !=
        std::string::npos);
  CHECK(m.find(file + ":7: polices: unknown key (did you mean \"policies\"?)") !=
        std::string::npos);
  CHECK(m.find("hunter2") == std::string::npos);
}

TEST_CASE("a password in a URI is refused too", "[config]") {
  TempDir dir;
  auto c = config::load(dir.write(
      "s.json",
      R"({"targets": {"p": {"dsn": "postgresql://u:secret@db/app", "environment": "production"}}})"));
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message().find("contains a password") != std::string::npos);
  CHECK(c.error().message().find("secret") == std::string::npos);
}

TEST_CASE("the file written by init is a valid configuration", "[config]") {
  TempDir dir;
  auto c = config::load(dir.write(
      "safedb.json", config::default_file_text(".safedb/keys/id_ed25519", "me@example.org")));
  REQUIRE(c.ok());
  CHECK(c->targets.at("dev").environment == "development");
  CHECK(*c->principal == "me@example.org");
}

TEST_CASE("pg_bin is resolved and a scratch server with a password is refused",
          "[config][backup]") {
  TempDir dir;
  auto good = config::load(dir.write("a/safedb.json", R"({"pg_bin": "pg/bin",
    "backups": {"dir": "b", "scratch_dsn": "host=scratch", "jobs": 3}})"));
  REQUIRE(good.ok());
  CHECK(*good->pg_bin == dir.path() + "/a/pg/bin");
  CHECK(good->backups == dir.path() + "/a/b");
  CHECK(*good->scratch_dsn == "host=scratch");
  CHECK(good->backup_jobs == 3);
  auto bad = config::load(
      dir.write("b/safedb.json", R"({"pg_bin": "", "backups": {"scratch_dsn": "password=x"}})"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message().find("pg_bin: must name a folder") != std::string::npos);
  CHECK(bad.error().message().find("backups.scratch_dsn: contains a password") !=
        std::string::npos);
}
