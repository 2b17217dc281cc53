#include "support/run_fixture.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "safedb/crypto/keys.h"
#include "support/pg_cluster.h"

namespace safedb::test {

RunFixture::RunFixture(const std::string& execution) : database_(create_database()) {
  crypto::PrivateKey key = crypto::PrivateKey::generate();
  REQUIRE(key.write_openssh(dir_ / "id_ed25519", "tester@example.org").ok());
  dir_.write(".safedb/allowed_signers",
             "tester@example.org namespaces=\"safedb-audit,safedb-approval\" " +
                 key.public_key().openssh() + "\n");
  dir_.write("policies/.keep", "");  // an empty policy folder: nothing required
  dir_.write("safedb.json", R"({
    "targets": {"db": {"dsn": ")" +
                                conninfo() + R"(", "environment": "development"},
                "prod": {"dsn": ")" +
                                conninfo() + R"(", "environment": "production"}},
    "signing": {"key": "id_ed25519", "principal": "tester@example.org"},
    "execution": {)" + execution +
                                R"(}
  })");
}

std::string RunFixture::conninfo() const {
  std::string c = test::conninfo(database_);
  std::string escaped;
  for (char ch : c)
    escaped += ch == '\\' || ch == '"' ? std::string("\\") + ch : std::string(1, ch);
  return escaped;
}

std::string RunFixture::file(const std::string& name, const std::string& sql) const {
  dir_.write(name, sql);
  return name;
}

CliResult RunFixture::safedb(const std::vector<std::string>& args) const {
  return run_safedb(args, "", {}, dir());
}

CliResult RunFixture::verify() const {
  return safedb(
      {"audit", "verify", "--log", log(), "--allowed-signers", dir_ / ".safedb/allowed_signers"});
}

std::string RunFixture::sql(const std::string& statements) const {
  auto conn = db::Connection::open(test::conninfo(database_));
  REQUIRE(conn.ok());
  auto r = conn->exec(statements);
  INFO(statements << (r.ok() ? std::string() : "\n" + r.error().message()));
  REQUIRE(r.ok());
  return r->rows.empty() || r->rows[0].empty() ? "" : r->rows[0][0].value_or("NULL");
}

std::string RunFixture::fingerprint() const {
  auto conn = db::Connection::open(test::conninfo(database_));
  REQUIRE(conn.ok());
  auto tables = conn->exec(
      "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
      "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
  REQUIRE(tables.ok());
  std::string digest;
  for (const auto& row : tables->rows) {
    auto r =
        conn->exec("SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM " +
                   *row[0] + " t");
    REQUIRE(r.ok());
    digest += *row[0] + "=" + r->rows[0][0].value_or("") + ";";
  }
  auto schema = conn->exec(
      "SELECT md5(string_agg(format('%s.%s:%s:%s', c.relname, a.attname, a.atttypid, "
      "a.attnotnull), ',' "
      "ORDER BY c.relname, a.attnum)) FROM pg_class c JOIN pg_namespace n ON n.oid = "
      "c.relnamespace "
      "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
      "WHERE n.nspname = 'public'");
  REQUIRE(schema.ok());
  return digest + "schema=" + schema->rows[0][0].value_or("");
}

std::vector<std::string> RunFixture::records(const std::string& type) const {
  std::vector<std::string> out;
  std::ifstream in(log());
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("type", "") == type) out.push_back(line);
  }
  return out;
}

std::string content_md5(const RunFixture& f, const std::string& from, const std::string& row) {
  return f.sql("SELECT md5(coalesce(string_agg((" + row + ")::text, E'\\n' ORDER BY (" + row +
               ")::text), '')) FROM " + from + " t");
}

void snapshot_policy(const RunFixture& f, const std::string& require) {
  f.file("policies/test.json",
         R"({"version": 1, "applies_to": {"environments": ["development"]}, "rules": [
              {"id": "snap", "when": {"effects": ["data-loss"]}, "require": {)" +
             require + "}}]}");
}

SnapshotRun run_with_snapshot(const RunFixture& f, const std::string& sql) {
  auto r = f.safedb({"run", f.file("change.sql", sql), "--target", "db"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json outcome = nlohmann::json::parse(f.records("outcome").back())["payload"];
  REQUIRE(outcome["snapshot"].is_object());
  return {outcome["run_id"].get<std::string>(), r.out, outcome["snapshot"]};
}

nlohmann::json restore_in_place(const RunFixture& f, const std::string& run_id, std::string& out) {
  auto r = f.safedb({"restore", run_id, "--target", "db", "--in-place"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  out = r.out + r.err;
  return nlohmann::json::parse(f.records("outcome").back())["payload"]["checks"];
}

std::string schema_dump(const RunFixture& f) {
  const std::string command = cluster_bindir() + "/pg_dump --schema-only -h '" +
                              cluster_socket_dir() + "' -p " + std::to_string(cluster_port()) +
                              " -U postgres " + f.database() + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  REQUIRE(pipe);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr)
    out += buffer.data();
  std::istringstream lines(out);
  std::string kept;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0)
      kept += line + "\n";
  }
  REQUIRE(kept.find("CREATE TABLE") != std::string::npos);
  return kept;
}

RoundTrip round_trip(const RunFixture& f, const std::string& sql) {
  const std::string before = schema_dump(f);
  RoundTrip r{run_with_snapshot(f, sql), "", nullptr};
  r.checks = restore_in_place(f, r.run.id, r.out);
  INFO(r.out);
  CHECK(schema_dump(f) == before);
  return r;
}

}  // namespace safedb::test
