#pragma once

#include <string>

#include "safedb/backup/create.h"
#include "safedb/backup/verify.h"

namespace safedb::cli {

// What `backup create` and `backup verify` print on stdout: a few lines for
// people, or one JSON document for programs (docs/cli.md, "JSON output of
// backup create and verify"; `version` is bumped only for incompatible
// changes). Errors that stop a command before a result never reach these:
// they are one line on stderr.
std::string created_text(const backup::CreatedBackup& made, const std::string& next_target);
std::string created_json(const backup::CreatedBackup& made);
std::string verified_text(const backup::VerifyResult& r);
std::string verified_json(const backup::VerifyResult& r);

}  // namespace safedb::cli
