#include "support/backup_fixture.h"

#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "support/pg_cluster.h"

namespace safedb::test {

namespace fs = std::filesystem;

BackupFixture::BackupFixture() {
  sql("CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2));"
      "INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.5 FROM generate_series(1, 5000) g;"
      "CREATE TABLE events (at timestamptz, payload jsonb, note text);"  // no primary key
      "INSERT INTO events SELECT '2025-01-01'::timestamptz + g * interval '1 minute',"
      "  jsonb_build_object('n', g % 7), CASE WHEN g % 3 = 0 THEN NULL ELSE 'x' END"
      "  FROM generate_series(1, 3000) g;"
      "INSERT INTO events SELECT * FROM events LIMIT 10;"  // duplicate rows
      "CREATE INDEX ON events (at); CREATE SCHEMA billing;"
      "CREATE TABLE billing.invoices (n bigint, amount float8, data bytea);"
      "INSERT INTO billing.invoices SELECT g, g / 7.0, decode(md5(g::text), 'hex')"
      "  FROM generate_series(1, 2000) g");
}

void BackupFixture::configure(const std::string& extra) const {
  file("safedb.json", R"({
    "targets": {"db": {"dsn": ")" +
                          conninfo() +
                          R"(", "environment": "development"}},
    "signing": {"key": "id_ed25519", "principal": "tester@example.org"},
    )" + extra + R"(})");
}

std::string BackupFixture::real_pg_dump() {
  return cluster_bindir() + "/pg_dump";
}

std::string BackupFixture::fake_pg_bin(const std::string& name, const std::string& script) const {
  const std::string bin = dir() + "/" + name;
  file(name + "/pg_dump", "#!/bin/sh\n" + script + "\n");
  ::chmod((bin + "/pg_dump").c_str(), 0755);
  fs::create_symlink(cluster_bindir() + "/pg_restore", bin + "/pg_restore");
  return bin;
}

std::string BackupFixture::create() const {
  CliResult r = safedb({"backup", "create", "--target", "db"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string prefix = "backup ";
  REQUIRE(r.out.starts_with(prefix));
  return r.out.substr(prefix.size(), r.out.find(' ', prefix.size()) - prefix.size());
}

CliResult BackupFixture::verify_backup(const std::string& id) const {
  return safedb({"backup", "verify", id, "--target", "db"});
}

std::vector<fs::path> BackupFixture::dump_files(const std::string& id) const {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(folder(id) / "dump"))
    files.push_back(e.path());
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return fs::file_size(a) > fs::file_size(b);
  });
  return files;
}

int BackupFixture::scratch_databases() const {
  auto conn = db::Connection::open(test::conninfo());
  REQUIRE(conn.ok());
  auto r = conn->exec("SELECT count(*) FROM pg_database WHERE datname LIKE 'safedb\\_verify\\_%'");
  REQUIRE(r.ok());
  return std::stoi(r->at(0, 0).value_or("-1"));
}

void BackupFixture::check_verify_interrupted(const CliResult& r) const {
  INFO(r.out << r.err);
  CHECK(r.exit_code == 130);
  CHECK(r.err.find("interrupted") != std::string::npos);
  CHECK(scratch_databases() == 0);
  CHECK(records("backup-verified").empty());
  CHECK(records("backup-verify-failed").empty());
}

nlohmann::json BackupFixture::last_record(const std::string& type) const {
  std::vector<std::string> lines = records(type);
  REQUIRE_FALSE(lines.empty());
  return nlohmann::json::parse(lines.back());
}

}  // namespace safedb::test
