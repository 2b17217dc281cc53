#pragma once

// Internal to snapshot/restore*.cpp: one saved table on its way back, and
// the SQL that puts it back, by what the statement destroyed.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/snapshot/snapshot.h"

namespace safedb::snapshot::detail {

struct RestoreEntry {
  const SavedTable* saved = nullptr;  // points into the Restorer's manifest
  std::string temp;                   // pg_temp table holding the saved rows
  std::string target;                 // SQL name of the table restored into
  std::vector<std::string> columns;   // SQL names of the saved columns
  bool whole = false;                 // the target should now equal the snapshot as a whole
};

// The restore's SQL so far, and every reason it cannot be done.
struct RestorePlan {
  std::vector<std::string> sql;
  std::vector<std::string> problems;
  std::set<std::string> schemas_made;  // CREATE SCHEMA already planned
};

// `names` joined with ", ", each with `prefix`.
std::string list(const std::vector<std::string>& names, std::string_view prefix = "");
// The first value of `sql`'s first row; nullopt on an error, no row or NULL.
std::optional<std::string> scalar(db::Connection& conn, const std::string& sql);

// Each appends the SQL for one entry to `plan`, or a problem when the
// database as it is now does not allow it.
void plan_copy(const RestoreEntry& e, RestorePlan& plan);  // into the inspection schema
void plan_recreate(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan);  // DROP
void plan_column(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan);    // column
void plan_rows(const RestoreEntry& e, RestorePlan& plan);  // DELETE, UPDATE, ...

}  // namespace safedb::snapshot::detail
