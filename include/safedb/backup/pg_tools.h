#pragma once

#include <optional>
#include <string>

#include "safedb/util/result.h"

namespace safedb::backup {

// A PostgreSQL client program (pg_dump, pg_restore) and the version it reports.
struct PgProgram {
  std::string path;
  std::string version;  // "15.18", as `--version` prints it
  int version_num = 0;  // like server_version_num: 150018; 90624 for 9.6.24
  // The major release as a version number: 150000 for 15.x, 90600 for 9.6.x.
  int major() const;
};

// Finds `name` (pg_dump, pg_restore) and asks it for its version: in
// `pg_bin` when given (and only there), else in the highest
// /usr/lib/postgresql/*/bin that has it, else in PATH. Fails (exit status
// "usage") naming where it looked, or what the program answered.
Result<PgProgram> find_program(const std::string& name, const std::optional<std::string>& pg_bin);

// The version number of "15.18" (150018) or "9.6.24" (90624); 0 if unreadable.
int version_num_of(const std::string& version);
// The major release of a server_version_num (150000 for 150018, 90600 for 90624).
int major_of(int version_num);
// "15", "9.6": how people name a major release.
std::string major_name(int version_num);

}  // namespace safedb::backup
