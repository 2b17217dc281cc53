#pragma once

// Internal to the snapshot module: durable files and the output settings a
// snapshot pins for its COPY without changing the run's own session.

#include <string>
#include <utility>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// Writes `text` to `path` through a temporary file, fsync and rename, then
// syncs the folder: the file is either complete or absent after a crash.
Status write_file_durably(const std::string& path, const std::string& text);

// The run's values of the output settings content::pin_text_output() pins.
using SavedOutput = std::vector<std::pair<std::string, std::string>>;

// Pins the output settings, and row_security = off, for the rest of the
// transaction only (set_config with is_local) and returns the values they
// had, so that a snapshot's COPY prints canonical text and fails rather than
// miss rows that row-level security hides, while the migration's own
// statements keep the session's settings (a TimeZone change would change
// what its timestamp literals mean).
Result<SavedOutput> pin_output(db::Connection& conn);
// Puts the saved values back, for the rest of the transaction.
Status restore_output(db::Connection& conn, const SavedOutput& saved);

}  // namespace safedb::snapshot
