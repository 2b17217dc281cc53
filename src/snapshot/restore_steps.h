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
#include "safedb/util/result.h"

namespace safedb::snapshot::detail {

struct RestoreEntry {
  const SavedTable* saved = nullptr;  // points into the Restorer's manifest
  std::string temp;                   // pg_temp table holding the saved rows
  std::string target;                 // SQL name of the table restored into
  std::vector<std::string> columns;   // SQL names of the saved columns
  bool whole = false;                 // the target should now equal the snapshot as a whole
  // Saved columns whose type did not exist when the restore was planned
  // (SQL names): staged as their "stage_type" (text in a text-format
  // snapshot), and cast back to their type once it is recreated.
  std::set<std::string> missing;
};

// The restore's SQL so far, and every reason it cannot be done.
struct RestorePlan {
  std::vector<std::string> sql;
  std::vector<std::string> problems;
  std::set<std::string> schemas_made;     // CREATE SCHEMA already planned (names)
  std::set<std::string> objects_made;     // types and functions already planned
  std::set<std::string> tables_made;      // CREATE TABLE already planned (definition names)
  bool unchecked_bodies = false;          // SET LOCAL check_function_bodies = off planned
  std::set<std::string> triggers_seen;    // tables whose triggers were looked at
  std::vector<std::string> enable_after;  // ENABLE TRIGGER, for the end of the restore
  // Foreign keys of kept tables into recreated ones, for after every table
  // (a partitioned table has its rows only once its partitions are back).
  std::vector<std::string> after_tables;
  // The policies and rules of recreated tables, for after the views: they
  // may select from any table or view the restore creates.
  std::vector<std::string> after_views;
  std::vector<std::string> notes;  // for the person restoring
  // The saved views to create, in order (by a restore in place), and those
  // planned already: a view whose row type a table's column needs comes
  // before that table, the others after every table.
  std::vector<const SavedView*> views;
  std::set<std::string> views_made;
};

// `names` joined with ", ", each with `prefix`.
std::string list(const std::vector<std::string>& names, std::string_view prefix = "");
// The first value of `sql`'s first row; nullopt on an error, no row or NULL.
std::optional<std::string> scalar(db::Connection& conn, const std::string& sql);

// Fills e.missing from the database as it is now.
Status find_missing_types(db::Connection& conn, RestoreEntry& e);
// The columns of the staging table of `e`, as "name type" (types gone staged as stand-ins).
std::string staged_columns(const RestoreEntry& e);
// The value of saved column `column` of staged row `s`, as SQL of the column's own type.
std::string staged_value(const RestoreEntry& e, const std::string& column);

// Each appends the SQL for one entry to `plan`, or a problem when the
// database as it is now does not allow it.
void plan_copy(const RestoreEntry& e, RestorePlan& plan);  // into the inspection schema
void plan_types(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan);     // types gone
void plan_recreate(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan);  // DROP
void plan_column(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan);    // column
void plan_rows(const RestoreEntry& e, RestorePlan& plan);  // DELETE, UPDATE, ...
// A configuration table of an extension a DROP took, which creating the
// extension again creates again (empty, or with the rows its script adds):
// the saved rows go back into it.
void plan_extension_rows(const RestoreEntry& e, RestorePlan& plan);
// After rows went back into an existing table: each sequence it owns that
// is now behind where the snapshot found it (TRUNCATE ... RESTART IDENTITY)
// goes on from there, so that it does not hand out the restored keys again.
// A sequence that is ahead is left alone.
void plan_sequences(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan);
// A view or materialized view (and its schema, when gone), unless planned already.
void plan_view(db::Connection& conn, const SavedView& v, RestorePlan& plan);
// A part of a kept relation (and the extensions and functions it uses,
// when gone), unless it is back already as it was.
void plan_part(db::Connection& conn, const SavedPart& p, RestorePlan& plan);
// A function, type, sequence or extension (and its schema, when gone),
// unless planned already or back already as it was.
void plan_object(db::Connection& conn, const SavedObject& o, RestorePlan& plan);
// Before rows go back into an existing table: its enabled user triggers
// that fire on INSERT or UPDATE are disabled until the end (`disable`), or
// named in a note.
void plan_triggers(db::Connection& conn, const RestoreEntry& e, bool disable, RestorePlan& plan);

}  // namespace safedb::snapshot::detail
