#pragma once

#include <string>

#include "safedb/backup/pg_tools.h"
#include "safedb/backup/verify.h"
#include "safedb/util/result.h"

namespace safedb::backup::detail {

// Where the scratch database was made (for the backup-verified record).
struct ScratchServer {
  std::string host;
  int port = 0;
};

// Restores the backup in `folder` into a new scratch database and compares
// it with out.manifest (REQUIRES: set, and every dump file checked against
// it): problems go to out.problems, the counts to `out`. The restore runs
// in pg_restore's three sections (pre-data, data, post-data); each table is
// hashed as soon as its rows are in, beside the rest of the restore, and
// amcheck runs once post-data has built the indexes. A failure of any
// section is one "restore" problem naming the section. The scratch database
// is dropped whatever happens; SIGINT or SIGTERM stop everything and end
// with exit status "interrupted". An Error means the check could not be
// done.
Status restore_and_compare(const VerifyRequest& req, const PgProgram& pg_restore,
                           const std::string& folder, VerifyResult& out, ScratchServer& server);

}  // namespace safedb::backup::detail
