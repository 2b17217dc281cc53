#pragma once

// Internal to the snapshot module: the parts of relations a statement keeps
// that it drops with what it names (docs/snapshots.md, "Parts of kept
// tables"). DROP COLUMN takes the indexes and constraints on the column;
// DROP SCHEMA ... CASCADE the defaults, checks, indexes and triggers of
// other schemas' tables that call its functions; DROP EXTENSION ... CASCADE
// the indexes that use its operator classes. The relations keep their rows,
// so only the SQL that adds each part again is saved.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/snapshot/snapshot.h"
#include "safedb/sql/analysis.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// Reads, in the run's transaction before statement `st`, its parts of
// relations it does not drop whole, in an order they can be added back in
// (keys before the checks and foreign keys that may need them). Parts of
// relations the snapshot saves whole are left out (their definition brings
// them back), and so are a dropped column's own default and the foreign
// keys that point at a table dropped whole (saved with that table). Fails
// (the server's report in conn.last_error()) when the catalog cannot be read.
Result<std::vector<SavedPart>> read_parts(db::Connection& conn, const sql::Statement& st);

// The rules and extended statistics of table `oid` (decimal text), which
// its definition holds apart from its other parts, as a JSON array of
// {"kind": "rule" | "statistics", "name", "sql": [statements that add it
// again, with its comment, enabled state, target and owner]}. Names are
// qualified when the session's search_path is empty.
Result<nlohmann::json> read_rules_and_statistics(db::Connection& conn, const std::string& oid);

// What the catalog prints now for the part of `p.relation` of kind `p.kind`
// named `p.name`, as read_parts() saved it; nullopt when there is none. For
// a session outside a transaction block (it sets the session's search_path
// for the read, then back).
Result<std::optional<std::string>> part_definition(db::Connection& conn, const SavedPart& p);

}  // namespace safedb::snapshot
