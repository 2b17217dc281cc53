#pragma once

// Internal to the snapshot module: durable files and the output settings a
// snapshot pins for its COPY without changing the run's own session.

#include <string>
#include <utility>
#include <vector>

#include "safedb/content/content.h"
#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// Writes `text` to `path` through a temporary file, fsync and rename, then
// syncs the folder: the file is either complete or absent after a crash.
Status write_file_durably(const std::string& path, const std::string& text);

// The run's values of the output settings content::pin_text_output() pins.
using SavedOutput = std::vector<std::pair<std::string, std::string>>;

// Pins, for the rest of the transaction only (set_config with is_local),
// what a snapshot's COPY in `format` needs, and row_security = off, and
// returns the values they had. Text output pins every setting that changes
// the text (content::text_output_settings()); binary output depends only on
// client_encoding, so only that is pinned, and the predicate of the COPY is
// read and evaluated under the session's own DateStyle, TimeZone, ... like
// the statement it snapshots. row_security = off makes the COPY fail rather
// than miss rows that row-level security hides. The migration's own
// statements keep the session's settings (restore_output()).
Result<SavedOutput> pin_output(db::Connection& conn, content::CopyFormat format);

// True when pin_output(conn, format) leaves the meaning of SQL text alone:
// every pinned setting that also changes how literals are read (all but
// extra_float_digits and bytea_output) already has the pinned value. When
// false, a predicate evaluated under the pinned settings might select other
// rows than the statement does.
Result<bool> pin_keeps_input(db::Connection& conn, content::CopyFormat format);

// Puts the saved values back, for the rest of the transaction.
Status restore_output(db::Connection& conn, const SavedOutput& saved);

}  // namespace safedb::snapshot
