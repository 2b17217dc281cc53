#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "safedb/audit/log.h"
#include "safedb/crypto/hash.h"
#include "safedb/crypto/keys.h"
#include "safedb/db/conninfo.h"
#include "support/backup_fixture.h"
#include "support/pg_cluster.h"

using nlohmann::json;
using safedb::test::BackupFixture;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Verification failed with exit 1, named `where` and `what`, and was recorded.
void check_failed(const BackupFixture& f, const safedb::test::CliResult& r,
                  const std::string& where, const std::string& what) {
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "FAILED verification"));
  CHECK(contains(r.out, where + ": " + what));
  json record = f.last_record("backup-verify-failed");
  CHECK(record["payload"]["problems"][0]["where"] == where);
  CHECK(f.records("backup-verified").empty());
  CHECK(f.scratch_databases() == 0);
  CHECK(f.verify().exit_code == 0);
}

}  // namespace

TEST_CASE("a backup is created and verified by restoring it and the gate accepts it",
          "[pg][backup]") {
  BackupFixture f;
  const std::string id = f.create();
  CHECK(fs::is_regular_file(f.folder(id) / "manifest.json"));
  CHECK(fs::is_regular_file(f.folder(id) / "dump/toc.dat"));
  json manifest = json::parse(slurp(f.folder(id) / "manifest.json"));
  CHECK(manifest["id"] == id);
  CHECK(manifest["tables"].size() == 3);
  CHECK(manifest["totals"]["rows"] == 5000 + 3010 + 2000);
  json created = f.last_record("backup-created");
  CHECK(created["payload"]["backup_id"] == id);
  CHECK(created["payload"]["manifest_sha256"] ==
        safedb::crypto::to_hex(safedb::crypto::sha256(slurp(f.folder(id) / "manifest.json"))));
  CHECK(created["payload"]["target"]["database"] == f.database());

  auto verified = f.verify_backup(id);
  INFO(verified.out << verified.err);
  REQUIRE(verified.exit_code == 0);
  CHECK(contains(verified.out, "3 tables, 10010 rows match the manifest"));
  CHECK(contains(verified.out, "btree indexes checked, no corruption"));
  json record = f.last_record("backup-verified");
  CHECK(record["payload"]["backup_id"] == id);
  CHECK(record["payload"]["backup_unix_time"] == manifest["snapshot"]["unix_time"]);
  CHECK(record["payload"]["target"]["system_identifier"] ==
        manifest["target"]["system_identifier"]);
  CHECK(f.scratch_databases() == 0);
  CHECK(f.verify().exit_code == 0);

  auto listed = f.safedb({"backup", "list", "--format", "json"});
  REQUIRE(listed.exit_code == 0);
  json list = json::parse(listed.out);
  REQUIRE(list["backups"].size() == 1);
  CHECK(list["backups"][0]["state"] == "verified");
  CHECK(list["backups"][0]["rows"] == 10010);
  CHECK(contains(f.safedb({"backup", "list"}).out, "verified 20"));

  // The policy gate for backups takes this record as its evidence.
  f.file("policies/test.json", R"({"version": 1, "applies_to": {"environments": ["development"]},
    "rules": [{"id": "backup-first", "when": {"effects": ["data-loss"]},
               "require": {"backup": {"verified": true, "max_age": "1h"}}}]})");
  auto ran =
      f.safedb({"run", f.file("m.sql", "DELETE FROM accounts WHERE id < 10;\n"), "--target", "db"});
  INFO(ran.err);
  CHECK(ran.exit_code == 0);
  // Reading the log as evidence left a signed verified mark for the next run.
  CHECK(fs::is_regular_file(f.log() + ".verified"));
  auto again = f.safedb(
      {"run", f.file("m2.sql", "DELETE FROM accounts WHERE id < 20;\n"), "--target", "db"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(f.verify().exit_code == 0);
}

TEST_CASE("backup create and verify report in JSON for programs", "[pg][backup]") {
  BackupFixture f;
  auto created = f.safedb({"backup", "create", "--target", "db", "--format", "json"});
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  const json made = json::parse(created.out);
  const std::string id = made["backup_id"];
  CHECK(made["version"] == 1);
  CHECK(fs::is_regular_file(fs::path(made["path"].get<std::string>()) / "manifest.json"));
  CHECK(made["tables"] == 3);
  CHECK(made["rows"] == 10010);
  CHECK(made["target"]["database"] == f.database());
  CHECK(made["record"]["type"] == "backup-created");
  CHECK(made["record"]["seq"] == f.last_record("backup-created")["seq"]);
  CHECK(made["manifest_sha256"] == f.last_record("backup-created")["payload"]["manifest_sha256"]);

  auto ok = f.safedb({"backup", "verify", id, "--target", "db", "--format", "json"});
  INFO(ok.out << ok.err);
  REQUIRE(ok.exit_code == 0);
  const json good = json::parse(ok.out);
  CHECK(good["verified"] == true);
  CHECK(good["problems"].empty());
  CHECK(good["tables_compared"] == 3);
  CHECK(good["rows_compared"] == 10010);
  CHECK(good["amcheck"]["indexes_checked"].get<int>() > 0);
  CHECK(good["scratch_drop_problem"].is_null());
  CHECK(good["record"]["type"] == "backup-verified");
  CHECK(good["record"]["seq"] == f.last_record("backup-verified")["seq"]);

  const fs::path victim = f.dump_files(id).at(0);
  fs::resize_file(victim, fs::file_size(victim) / 2);
  auto bad = f.safedb({"backup", "verify", id, "--target", "db", "--format", "json"});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  const json failed = json::parse(bad.out);
  CHECK(failed["verified"] == false);
  REQUIRE(failed["problems"].size() == 1);
  CHECK(failed["problems"][0]["where"] == "dump/" + victim.filename().string());
  CHECK(contains(failed["problems"][0]["what"], "truncated: "));
  CHECK(failed["record"]["type"] == "backup-verify-failed");
  CHECK(failed["scratch_database"].is_null());  // the file check failed before any restore
  CHECK(failed["amcheck"].is_null());

  auto unknown = f.safedb({"backup", "verify", id, "--target", "db", "--format", "xml"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "unknown --format 'xml' (text, json)"));
  CHECK(unknown.out.empty());
}

TEST_CASE("verify latest picks the newest backup of the target's database", "[pg][backup]") {
  BackupFixture f;
  const std::string first = f.create();
  f.sql("INSERT INTO accounts VALUES (100000, 'late', 1)");
  const std::string second = f.create();
  auto r = f.verify_backup("latest");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "backup " + second + " verified"));
}

TEST_CASE("a truncated dump file fails verification", "[pg][backup]") {
  BackupFixture f;
  const std::string id = f.create();
  const fs::path victim = f.dump_files(id).at(0);
  fs::resize_file(victim, fs::file_size(victim) / 2);
  check_failed(f, f.verify_backup(id), "dump/" + victim.filename().string(), "truncated");
  CHECK(contains(f.safedb({"backup", "list"}).out, "FAILED"));
}

TEST_CASE("an edited dump file fails verification", "[pg][backup]") {
  BackupFixture f;
  const std::string id = f.create();
  const fs::path victim = f.dump_files(id).at(0);
  std::string bytes = slurp(victim);
  bytes[bytes.size() / 2] ^= 0x01;
  spit(victim, bytes);
  check_failed(f, f.verify_backup(id), "dump/" + victim.filename().string(), "content changed");
}

TEST_CASE("a missing dump file and an extra one fail verification", "[pg][backup]") {
  BackupFixture f;
  const std::string id = f.create();
  const fs::path victim = f.dump_files(id).at(0);
  fs::remove(victim);
  spit(f.folder(id) / "dump/extra.dat", "x");
  auto r = f.verify_backup(id);
  check_failed(f, r, "dump/" + victim.filename().string(), "missing");
  CHECK(contains(r.out, "dump/extra.dat: not in the manifest"));
}

TEST_CASE("an edited manifest fails verification against its signed record", "[pg][backup]") {
  BackupFixture f;
  const std::string id = f.create();
  // Someone hides a change by editing the expected row count and hash too.
  json manifest = json::parse(slurp(f.folder(id) / "manifest.json"));
  manifest["tables"][0]["rows"] = 4999;
  spit(f.folder(id) / "manifest.json", manifest.dump(2) + "\n");
  check_failed(f, f.verify_backup(id), "manifest.json", "changed since the backup was made");
  CHECK(contains(f.safedb({"backup", "list"}).out, "TAMPERED"));
}

TEST_CASE("a backup of another database is refused", "[pg][backup]") {
  BackupFixture f;
  const std::string id = f.create();
  SECTION("another database of the same cluster") {
    BackupFixture other;
    other.configure(R"("backups": {"dir": ")" + f.backups() + R"("}, "audit": {"log": ")" +
                    f.log() + R"("}, "allowed_signers": ")" + f.dir() +
                    "/.safedb/allowed_signers\"");
    for (const std::string key : {"/id_ed25519", "/id_ed25519.pub"})
      fs::copy_file(f.dir() + key, other.dir() + key, fs::copy_options::overwrite_existing);
    auto r = other.safedb({"backup", "verify", id, "--target", "db"});
    check_failed(f, r, "target", "backup " + id + " is of cluster");
    CHECK(contains(r.out, "database \"" + f.database() + "\", not of the target"));
    // An attempt against another database says nothing about the backup itself.
    CHECK(contains(f.safedb({"backup", "list"}).out, "never verified"));
  }
  SECTION("a genuine backup of another cluster copied in") {
    // The same backup as if taken on another cluster: a manifest with another
    // system identifier and its own signed backup-created record.
    const std::string forged = id.substr(0, id.size() - 4) + "ffff";
    fs::copy(f.folder(id), f.folder(forged), fs::copy_options::recursive);
    json manifest = json::parse(slurp(f.folder(forged) / "manifest.json"));
    manifest["id"] = forged;
    manifest["target"]["system_identifier"] = "1234567890123456789";
    const std::string bytes = manifest.dump(2) + "\n";
    spit(f.folder(forged) / "manifest.json", bytes);
    auto key = safedb::crypto::PrivateKey::load(f.dir() + "/id_ed25519");
    REQUIRE(key.ok());
    auto log = safedb::audit::AuditLog::open(f.log(), *key, "tester@example.org");
    REQUIRE(log.ok());
    json target = manifest["target"];
    REQUIRE(log->append("backup-created", {{"backup_id", forged},
                                           {"target", target},
                                           {"backup_unix_time", manifest["snapshot"]["unix_time"]},
                                           {"manifest_sha256",
                                            safedb::crypto::to_hex(safedb::crypto::sha256(bytes))}})
                .ok());
    auto r = f.verify_backup(forged);
    check_failed(f, r, "target", "backup " + forged + " is of cluster 1234567890123456789");
  }
}

TEST_CASE("a dump that lacks a table fails verification", "[pg][backup]") {
  // Fault injection with real parts: the real pg_dump, told to leave a table out.
  BackupFixture f;
  f.fake_pg_bin(
      "bin", "exec " + BackupFixture::real_pg_dump() + " \"$@\" --exclude-table=billing.invoices");
  f.configure(R"("pg_bin": "bin")");
  const std::string id = f.create();
  json manifest = json::parse(slurp(f.folder(id) / "manifest.json"));
  CHECK(manifest["tables"].size() == 3);  // computed from the database itself
  check_failed(f, f.verify_backup(id), "table billing.invoices", "missing (2000 rows expected)");
}

TEST_CASE("concurrent writers during backup create do not disturb the backup", "[pg][backup]") {
  BackupFixture f;
  f.sql("INSERT INTO accounts SELECT g, 'owner ' || g, g FROM generate_series(5001, 200000) g");
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    auto conn = safedb::db::Connection::open(safedb::test::conninfo(f.database()));
    if (!conn) return;
    for (int i = 0; !stop; ++i) {
      const int id = 300000 + i;
      auto r = conn->exec("INSERT INTO accounts VALUES (" + std::to_string(id) +
                          ", 'new', 1);"
                          "UPDATE accounts SET balance = balance + 1 WHERE id = " +
                          std::to_string(1 + i % 5000) +
                          ";DELETE FROM accounts WHERE id = " + std::to_string(5001 + i) +
                          ";INSERT INTO events VALUES (now(), '{}', 'w')");
      if (r) ++writes;
    }
  });
  while (writes < 5)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int before = writes;
  safedb::test::CliResult created = f.safedb({"backup", "create", "--target", "db", "--jobs", "2"});
  const int during = writes - before;
  stop = true;
  writer.join();
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  CHECK(during > 10);  // the writer really ran while the backup was taken
  auto r = f.verify_backup("latest");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "match the manifest"));
}

TEST_CASE("a table locked by another session fails the backup after lock_timeout, not later",
          "[pg][backup]") {
  BackupFixture f;
  f.configure(R"("execution": {"lock_timeout": "1s"})");
  auto holder = safedb::db::Connection::open(safedb::test::conninfo(f.database()));
  REQUIRE(holder);
  REQUIRE(holder->exec("BEGIN; LOCK TABLE billing.invoices IN ACCESS EXCLUSIVE MODE"));
  // Returns at all while the lock is still held: without the timeout it would wait forever.
  auto r = f.safedb({"backup", "create", "--target", "db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "lock timeout"));
  CHECK(contains(r.err, "no backup was written"));
  CHECK((!fs::exists(f.backups()) || fs::is_empty(f.backups())));
  CHECK(f.records("backup-created").empty());

  // Once the lock is gone the same command succeeds.
  REQUIRE(holder->exec("ROLLBACK"));
  f.create();
}

TEST_CASE("pg_dump older than the server is refused before anything is written", "[pg][backup]") {
  BackupFixture f;
  f.fake_pg_bin("old", "echo 'pg_dump (PostgreSQL) 9.6.24'");
  f.configure(R"("pg_bin": "old")");
  auto r = f.safedb({"backup", "create", "--target", "db"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "is version 9.6.24, older than the server"));
  CHECK((!fs::exists(f.backups()) || fs::is_empty(f.backups())));
  CHECK(f.records("backup-created").empty());
}

TEST_CASE("a failing pg_dump fails the backup loudly and leaves nothing behind", "[pg][backup]") {
  BackupFixture f;
  SECTION("an error exit with pg_dump's message") {
    f.fake_pg_bin("bin",
                  "case \"$1\" in --version) exec " + BackupFixture::real_pg_dump() +
                      " --version;; esac\necho 'pg_dump: error: query failed: boom' >&2; exit 1");
    f.configure(R"("pg_bin": "bin")");
    auto r = f.safedb({"backup", "create", "--target", "db"});
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, "pg_dump failed (exit status 1): pg_dump: error: query failed: boom"));
  }
  SECTION("a file size limit as a full disk") {
    f.sql(
        "INSERT INTO events SELECT now(), jsonb_build_object('pad', repeat(md5(g::text), 20)),"
        " md5(g::text) FROM generate_series(1, 20000) g");
    f.fake_pg_bin("bin", "ulimit -f 8\nexec " + BackupFixture::real_pg_dump() + " \"$@\"");
    f.configure(R"("pg_bin": "bin")");
    auto r = f.safedb({"backup", "create", "--target", "db", "--jobs", "1"});
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, "pg_dump"));
    CHECK(contains(r.err, "no backup was written"));
  }
  CHECK((!fs::exists(f.backups()) || fs::is_empty(f.backups())));
  CHECK(f.records("backup-created").empty());
}

TEST_CASE("bad input gets one clear line and a documented exit status", "[pg][backup]") {
  BackupFixture f;
  SECTION("no backups yet") {
    auto r = f.verify_backup("latest");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "safedb: error: no backups in "));
    CHECK(contains(f.safedb({"backup", "list"}).out, "no backups in"));
  }
  SECTION("an unknown id") {
    f.create();
    auto r = f.verify_backup("20200101T000000Z-nope-0000");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "unknown backup id '20200101T000000Z-nope-0000'"));
  }
  SECTION("an unreachable server") {
    auto r = f.safedb({"backup", "create", "--dsn",
                       "host=127.0.0.1 port=" + std::to_string(safedb::test::closed_tcp_port()) +
                           " dbname=x connect_timeout=2"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "safedb: error: "));
    CHECK(contains(r.err, "127.0.0.1"));
  }
  SECTION("a wrong password") {
    auto r =
        f.safedb({"backup", "create", "--dsn",
                  safedb::test::tcp_conninfo(safedb::test::kPasswordRole, "wrong", f.database())});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "password"));
  }
  SECTION("pg_dump missing") {
    f.file("empty/.keep", "");
    f.configure(R"("pg_bin": "empty")");
    auto r = f.safedb({"backup", "create", "--target", "db"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "pg_dump not found (in pg_bin "));
  }
  SECTION("broken and foreign folders are listed as such") {
    const std::string id = f.create();
    f.file(".safedb/backups/notes.txt", "hello");
    f.file(".safedb/backups/20250101T000000Z-x-0000/manifest.json", "{broken");
    f.file(".safedb/backups/.tmp-20250101T000000Z-y-0000/dump/toc.dat", "");
    auto r = f.safedb({"backup", "list"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "DAMAGED: manifest.json: not valid JSON"));
    CHECK(contains(r.out, "notes.txt"));
    CHECK(contains(r.out, "INCOMPLETE"));
    CHECK(contains(r.out, id));
    auto broken = f.verify_backup("20250101T000000Z-x-0000");
    CHECK(broken.exit_code == 1);
    CHECK(contains(broken.out, "no signed backup-created record"));
    auto json_list = f.safedb({"backup", "list", "--format", "json"});
    CHECK(json::parse(json_list.out)["backups"].size() == 4);
  }
  CHECK(f.scratch_databases() == 0);
}

TEST_CASE("the backup gate drops a backup that later failed verification and names one too old",
          "[pg][backup][gates]") {
  BackupFixture f;
  const std::string id = f.create();
  REQUIRE(f.verify_backup(id).exit_code == 0);
  const std::string file = f.file("m.sql", "DELETE FROM accounts WHERE id < 10;\n");
  SECTION("damaged since") {
    f.file("policies/test.json", R"({"version": 1, "applies_to": {"environments": ["development"]},
      "rules": [{"id": "backup-first", "when": {"effects": ["data-loss"]},
                 "require": {"backup": {"verified": true, "max_age": "1h"}}}]})");
    fs::resize_file(f.dump_files(id).at(0), 10);
    REQUIRE(f.verify_backup(id).exit_code == 1);
    auto r = f.safedb({"run", file, "--target", "db"});
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "no verified backup of this database exists"));
  }
  SECTION("too old") {
    f.file("policies/test.json", R"({"version": 1, "applies_to": {"environments": ["development"]},
      "rules": [{"id": "backup-first", "when": {"effects": ["data-loss"]},
                 "require": {"backup": {"verified": true, "max_age": "1s"}}}]})");
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    auto r = f.safedb({"run", file, "--target", "db"});
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "the newest verified backup (" + id + ") was taken"));
  }
}

TEST_CASE("an interrupted verify stops pg_restore and drops the scratch database", "[pg][backup]") {
  BackupFixture f;
  f.sql("INSERT INTO accounts SELECT g, repeat('o', 200), g FROM generate_series(5001, 400000) g");
  const std::string id = f.create();
  safedb::test::BackgroundSafedb verify({"backup", "verify", id, "--target", "db"}, f.dir());
  for (int i = 0; i < 500 && f.scratch_databases() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(f.scratch_databases() == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  verify.signal(SIGINT);
  f.check_verify_interrupted(verify.wait());
}

TEST_CASE("a standby can be backed up and the backup verifies against its primary",
          "[pg][backup]") {
  BackupFixture f;
  auto standby = safedb::db::with_database(safedb::test::start_standby(), f.database());
  REQUIRE(standby.ok());
  // Wait until the standby has replayed the fixture's tables.
  bool replayed = false;
  for (int i = 0; i < 500 && !replayed; ++i) {
    auto conn = safedb::db::Connection::open(*standby);
    if (conn) {
      auto r = conn->exec("SELECT count(*) FROM billing.invoices");
      replayed = r && r->at(0, 0) == std::optional<std::string>("2000");
    }
    if (!replayed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(replayed);
  auto created = f.safedb({"backup", "create", "--dsn", *standby});
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  json manifest = f.last_record("backup-created");
  CHECK(manifest["payload"]["target"]["database"] == f.database());
  auto r = f.verify_backup("latest");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("session settings that change how values print do not change the hashes",
          "[pg][backup]") {
  BackupFixture f;
  f.sql(
      "CREATE TABLE odd (t timestamptz, d date, i interval, f float8, b bytea, m money);"
      "INSERT INTO odd VALUES ('2025-03-04 05:06:07.891+02', '2025-12-31', '1 day 02:03:04',"
      " 0.1, '\\x00ff', 12.34), (now(), now(), '-3 months', 1e300, 'abc', -1)");
  auto created = safedb::test::run_safedb(
      {"backup", "create", "--target", "db"}, "",
      {"PGOPTIONS=-c DateStyle=German,DMY -c TimeZone=Asia/Tokyo -c extra_float_digits=0 "
       "-c bytea_output=escape -c IntervalStyle=sql_standard"},
      f.dir());
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  auto r = safedb::test::run_safedb(
      {"backup", "verify", "latest", "--target", "db"}, "",
      {"PGOPTIONS=-c DateStyle=SQL,MDY -c TimeZone=America/Anchorage -c extra_float_digits=3 "
       "-c IntervalStyle=iso_8601"},
      f.dir());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
}
