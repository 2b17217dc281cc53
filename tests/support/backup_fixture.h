#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "support/run_fixture.h"

namespace safedb::test {

// A RunFixture with helpers for the backup commands: its backups folder is
// .safedb/backups; `pg_bin` (when set) replaces pg_dump with a script.
class BackupFixture : public RunFixture {
 public:
  BackupFixture();

  std::string backups() const { return dir() + "/.safedb/backups"; }
  // Rewrites safedb.json with `extra` members (e.g. "\"pg_bin\": \"bin\"").
  void configure(const std::string& extra) const;
  // A folder `name` holding a pg_dump that is `script` (sh) and the real pg_restore.
  std::string fake_pg_bin(const std::string& name, const std::string& script) const;
  // The real pg_dump.
  static std::string real_pg_dump();

  // `backup create --target db`, REQUIRE-d to succeed; returns the backup id.
  std::string create() const;
  CliResult verify_backup(const std::string& id) const;
  // The folder of backup `id`.
  std::filesystem::path folder(const std::string& id) const { return backups() + "/" + id; }
  // The backup's dump files, largest first.
  std::vector<std::filesystem::path> dump_files(const std::string& id) const;
  // Scratch databases still present on the cluster.
  int scratch_databases() const;
  // Checks that `r`, a `backup verify` stopped by SIGINT, ended with exit
  // status 130 and said so, dropped its scratch database and recorded nothing.
  void check_verify_interrupted(const CliResult& r) const;
  nlohmann::json last_record(const std::string& type) const;
};

}  // namespace safedb::test
