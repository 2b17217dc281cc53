#pragma once

// Internal to the snapshot module: the views and materialized views a
// statement drops along with what it names, saved as the SQL that creates
// them again (docs/snapshots.md, "Views").

#include <string>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/snapshot/snapshot.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// Reads the views and materialized views with pg_class oids `oids` (decimal
// text) for statement `statement`, in an order they can be created in: a
// view after every one of `oids` it selects from. Names are
// schema-qualified. Fails (the server's report in conn.last_error()) when
// the catalog cannot be read.
Result<std::vector<SavedView>> read_views(db::Connection& conn, int statement,
                                          const std::vector<std::string>& oids);

// The COPY that reads every row of materialized view `name` in `format`,
// as a snapshot hashes them and a restore compares them.
std::string rows_copy(const std::string& name, content::CopyFormat format);

// The pg_get_viewdef() of `name` as read_views() saves it, to compare a
// recreated view with the saved one; nullopt when there is no such view.
// For a session outside a transaction block (it sets the session's
// search_path for the read, then back).
Result<std::optional<std::string>> view_definition(db::Connection& conn, const std::string& name);

}  // namespace safedb::snapshot
