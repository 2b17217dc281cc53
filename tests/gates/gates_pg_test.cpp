#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

#include "safedb/crypto/keys.h"
#include "support/run_fixture.h"

using nlohmann::json;
using safedb::test::RunFixture;

namespace {

// A policy for the fixture's "db" target (environment development).
void policy(const RunFixture& f, const std::string& rules, const std::string& extra = "") {
  f.file("policies/test.json",
         R"({"version": 1, "applies_to": {"environments": ["development"]}, "rules": [)" + rules +
             "]" + extra + "}");
}

// Adds an approver's key to the fixture's allowed_signers; returns the key path.
std::string approver(const RunFixture& f, const std::string& name) {
  safedb::crypto::PrivateKey key = safedb::crypto::PrivateKey::generate();
  const std::string path = f.dir() + "/" + name + ".key";
  REQUIRE(key.write_openssh(path, name).ok());
  std::ofstream(f.dir() + "/.safedb/allowed_signers", std::ios::app)
      << name << " namespaces=\"safedb-approval\" " << key.public_key().openssh() << "\n";
  return path;
}

}  // namespace

TEST_CASE("a run missing every requirement lists them all and executes nothing", "[pg][gates]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)");
  policy(f, R"({"id": "sop", "when": {"effects": ["data-loss"]},
               "require": {"dry_run": {"max_age": "1h"}, "backup": {"verified": true, "max_age": "24h"},
                           "approvals": {"min": 2, "exclude": ["requester", "executor"]}}})");
  const std::string before = f.fingerprint();
  auto r = f.safedb({"run", f.file("m.sql", "DELETE FROM t WHERE id < 5;\n"), "--target", "db"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("blocked by policy: 3 requirements not met; nothing was executed") !=
        std::string::npos);
  CHECK(r.err.find("a successful dry-run of this file") != std::string::npos);
  CHECK(r.err.find("no verified backup of this database exists") != std::string::npos);
  CHECK(r.err.find("2 approvals of a plan for this change") != std::string::npos);
  CHECK(f.fingerprint() == before);
  CHECK(f.records("intent").empty());
}

TEST_CASE("dry-run first: the same file rehearsed on this database lets the run through",
          "[pg][gates]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)");
  policy(
      f,
      R"({"id": "rehearse", "when": {"effects": ["data-loss"]}, "require": {"dry_run": {"max_age": "1h"}}})");
  const std::string file = f.file("m.sql", "DELETE FROM t WHERE id < 5;\n");
  CHECK(f.safedb({"run", file, "--target", "db"}).exit_code == 3);
  CHECK(f.safedb({"dry-run", file, "--target", "db"}).exit_code == 0);
  auto ran = f.safedb({"run", file, "--target", "db"});
  INFO(ran.err);
  CHECK(ran.exit_code == 0);
  CHECK(f.sql("SELECT count(*) FROM t") == "6");
  auto intent = json::parse(f.records("intent").at(0));
  CHECK(intent["payload"]["evidence"]["dry_runs"][0]["seq"].is_number());
  // One byte changed: the rehearsal no longer covers the file.
  f.file("m.sql", "DELETE FROM t WHERE id < 6;\n");
  auto changed = f.safedb({"run", file, "--target", "db"});
  CHECK(changed.exit_code == 3);
  CHECK(changed.err.find("a successful dry-run of this file") != std::string::npos);
}

TEST_CASE("two approvals of a bound plan let the run through once", "[pg][gates]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)");
  policy(f, R"({"id": "four-eyes", "when": {"effects": ["data-loss"]},
               "require": {"approvals": {"min": 2, "principals": ["*@example.org"], "exclude": ["requester", "executor"]}}})");
  const std::string bob = approver(f, "bob@example.org");
  const std::string carol = approver(f, "carol@example.org");
  const std::string file = f.file("m.sql", "DELETE FROM t WHERE id < 5;\n");
  auto planned = f.safedb({"plan", file, "--target", "db", "--out", "p.json"});
  INFO(planned.err);
  REQUIRE(planned.exit_code == 0);
  CHECK(planned.out.find("requires: ") != std::string::npos);
  CHECK(planned.out.find("still missing: 2 approvals of this plan") != std::string::npos);
  auto shown = f.safedb({"plan", "show", "p.json"});
  CHECK(shown.out.find("DELETE FROM t WHERE id < 5;") != std::string::npos);
  REQUIRE(
      f.safedb({"approve", "p.json", "--key", bob, "--principal", "bob@example.org"}).exit_code ==
      0);

  auto one = f.safedb({"run", file, "--target", "db", "--plan", "p.json", "--approval",
                       "p.json.bob@example.org.sig"});
  CHECK(one.exit_code == 3);
  CHECK(one.err.find("approvals: 1 of 2 required") != std::string::npos);

  REQUIRE(f.safedb({"approve", "p.json", "--key", carol, "--principal", "carol@example.org"})
              .exit_code == 0);
  const std::vector<std::string> run = {"run",        file,
                                        "--target",   "db",
                                        "--plan",     "p.json",
                                        "--approval", "p.json.bob@example.org.sig",
                                        "--approval", "p.json.carol@example.org.sig"};
  auto both = f.safedb(run);
  INFO(both.err);
  CHECK(both.exit_code == 0);
  CHECK(f.sql("SELECT count(*) FROM t") == "6");
  auto intent = json::parse(f.records("intent").at(0));
  CHECK(intent["payload"]["plan"]["approvals"].size() == 2);

  auto replay = f.safedb(run);
  CHECK(replay.exit_code == 3);
  CHECK(replay.err.find("was already used by an earlier run") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM t") == "6");
}

TEST_CASE("a statement over the policy's row cap rolls back the whole run", "[pg][gates]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)");
  policy(f, R"({"id": "cap", "when": {"effects": ["data-loss"]}, "require": {"max_rows": 5}})");
  const std::string before = f.fingerprint();
  auto r =
      f.safedb({"run", f.file("m.sql", "INSERT INTO t VALUES (11);\nDELETE FROM t WHERE id > 3;\n"),
                "--target", "db"});
  CHECK(r.exit_code == 4);
  CHECK(r.out.find("affected 8 rows; the policies allow at most 5 (max_rows)") !=
        std::string::npos);
  CHECK(f.fingerprint() == before);
}

TEST_CASE("break-glass lifts the SOP gates where allowed, never a denial", "[pg][gates]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)");
  policy(
      f,
      R"({"id": "rehearse", "when": {"effects": ["data-loss"]}, "require": {"dry_run": {"max_age": "1h"}}},
            {"id": "no-truncate", "when": {"kinds": ["TruncateStmt"]}, "deny": "Tables are not truncated here."})",
      R"(, "break_glass": {"allowed": true, "principals": ["tester@example.org"]})");
  auto lifted = f.safedb({"run", f.file("m.sql", "DELETE FROM t WHERE id < 5;\n"), "--target", "db",
                          "--break-glass", "incident 42: runaway rows"});
  INFO(lifted.err);
  CHECK(lifted.exit_code == 0);
  auto intent = json::parse(f.records("intent").at(0));
  CHECK(intent["payload"]["break_glass"]["reason"] == "incident 42: runaway rows");
  auto listed = f.safedb({"audit", "list", "--type", "intent"});
  CHECK(listed.out.find("BREAK-GLASS by tester@example.org: incident 42") != std::string::npos);
  auto denied = f.safedb(
      {"run", f.file("n.sql", "TRUNCATE t;\n"), "--target", "db", "--break-glass", "again"});
  CHECK(denied.exit_code == 3);
  CHECK(denied.err.find("Tables are not truncated here.") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM t") == "6");
}

TEST_CASE("a dry-run gate that names a rehearsal target wants the dry-run from that target",
          "[pg][gates]") {
  RunFixture f;
  f.sql("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)");
  f.file("policies/test.json",
         R"({"version": 1, "applies_to": {"environments": ["production"]}, "rules": [
    {"id": "rehearse-on-db", "when": {"effects": ["data-loss"]}, "require": {"dry_run": {"max_age": "1h", "on": "db"}}}]})");
  const std::string file = f.file("m.sql", "DELETE FROM t WHERE id < 5;\n");
  CHECK(f.safedb({"dry-run", file, "--target", "prod"}).exit_code ==
        0);  // rehearsed on the wrong target
  auto blocked = f.safedb({"run", file, "--target", "prod", "--yes"});
  CHECK(blocked.exit_code == 3);
  CHECK(blocked.err.find("on target db") != std::string::npos);
  CHECK(f.safedb({"dry-run", file, "--target", "db"}).exit_code == 0);
  auto ran = f.safedb({"run", file, "--target", "prod", "--yes"});
  INFO(ran.err);
  CHECK(ran.exit_code == 0);
  CHECK(f.sql("SELECT count(*) FROM t") == "6");
}
