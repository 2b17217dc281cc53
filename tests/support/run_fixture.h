#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "safedb/db/connection.h"
#include "support/cli_runner.h"

namespace safedb::test {

// A fresh database with a signing key, allowed_signers, an audit log and a
// safedb.json whose target "db" points at it; commands run in that folder.
class RunFixture {
 public:
  // `execution` is the JSON body of safedb.json's "execution" object.
  explicit RunFixture(const std::string& execution = R"("lock_timeout": "2s")");

  const std::string& dir() const { return dir_.path(); }
  const std::string& database() const { return database_; }
  std::string conninfo() const;
  std::string log() const { return dir_ / ".safedb/audit.jsonl"; }

  // Writes a SQL file into the folder and returns its name.
  std::string file(const std::string& name, const std::string& sql) const;
  // Runs safedb in the folder.
  CliResult safedb(const std::vector<std::string>& args) const;
  // `safedb audit verify` of the fixture's log.
  CliResult verify() const;
  // Runs SQL on the database (REQUIRE-d to succeed) and returns the first cell of the first row.
  std::string sql(const std::string& statements) const;
  // A digest of every user table's rows and of the schema: equal digests mean
  // the database is unchanged.
  std::string fingerprint() const;
  // The audit log's records of `type`, as JSON text lines.
  std::vector<std::string> records(const std::string& type) const;

 private:
  TempDir dir_;
  std::string database_;
};

// The content of `from` (a table, or "ONLY t"), as the server alone prints
// its rows, independent of safedb's hashing: md5 of `row` (an expression
// over the alias t; the whole row by default) of every row, in a fixed order.
std::string content_md5(const RunFixture& f, const std::string& from, const std::string& row = "t");

// Writes the fixture's policy: data-loss statements on its "db" target need
// what `require` says (the JSON body of a rule's "require"), nothing else.
void snapshot_policy(const RunFixture& f, const std::string& require = R"("snapshot": true)");

// One `safedb run` of `sql` on the fixture's target, REQUIRE-d to exit 0
// and to have taken a snapshot: the run's id, its output, and the
// "snapshot" object of its outcome record.
struct SnapshotRun {
  std::string id;
  std::string out;
  nlohmann::json snapshot;
};
SnapshotRun run_with_snapshot(const RunFixture& f, const std::string& sql);

// One `safedb restore RUN-ID --in-place` on the fixture's target, REQUIRE-d
// to exit 0: its output (stdout and stderr) in `out`, and the "checks"
// object of its outcome record.
nlohmann::json restore_in_place(const RunFixture& f, const std::string& run_id, std::string& out);

// pg_dump --schema-only of the fixture's database, without the lines that
// differ between any two dumps (the random key of \restrict).
std::string schema_dump(const RunFixture& f);

// One snapshotted run of `sql` and the restore in place of its snapshot,
// CHECK-ed to leave the schema as pg_dump describes it before the run: the
// run, and the restore's output (INFO-ed by the caller) and checks.
struct RoundTrip {
  SnapshotRun run;
  std::string out;
  nlohmann::json checks;
};
RoundTrip round_trip(const RunFixture& f, const std::string& sql);

}  // namespace safedb::test
