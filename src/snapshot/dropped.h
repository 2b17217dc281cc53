#pragma once

// Internal to the snapshot module: what a DROP TABLE or DROP SCHEMA takes
// with it beyond the tables it names. CASCADE follows every dependency in
// the catalog, and some of those carry data: tables that inherit from a
// dropped table or live in another schema as its partitions, and columns of
// other tables whose type is dropped (an enum of the dropped schema, the row
// type of a dropped table).

#include <optional>
#include <string>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/sql/analysis.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// A relation the DROP removes, or one column of it, that holds data.
struct DroppedObject {
  std::string oid;  // pg_class oid of the relation
  // "r", "p", "f", "c" (a composite type: one of its attributes), "v" or
  // "m" (a view or materialized view, always whole)
  std::string relkind;
  std::string schema;  // names, as stored in the catalog
  std::string name;    //
  std::string column;  // the column (pg_attribute.attname), or "" for the whole relation
  // What the column goes with: "type app.mood" (format_type()), or
  // "collation app.ci" when the statement drops its collation.
  std::string because;
  // Of a whole relation with a parent: "a partition of <parent>" or "an
  // inheritance child of <parents>" (quoted names); "" if none.
  std::string dependant;
};

// Everything the statement `st` would remove along with what it names: for
// a DROP, from its Destruction::Kind::table, ::schema, ::type and
// ::extension entries; for an ALTER TABLE, from the columns it drops (or
// retypes). Read from pg_depend in the run's transaction, as PostgreSQL's
// own dependency walk does: every object that depends, in any way, on a
// dropped one, and the owner of any object internal to another (the view
// of a rewrite rule). Listed are tables, columns, and views and
// materialized views (also those inside a dropped schema); relations
// without data or definition of their own (indexes, sequences, TOAST) are
// left out, and so are the columns of relations dropped whole. Without
// CASCADE the statement fails on such dependants, so what is listed is at
// most what it drops. Fails (the server's report in conn.last_error())
// when the catalog cannot be read.
Result<std::vector<DroppedObject>> dropped_with(db::Connection& conn, const sql::Statement& st);

// The start of a query over what statement `st` removes: "WITH RECURSIVE
// ..." defining dropped(classid, objid, objsubid), every catalog object of
// the walk above (pg_depend's own identifiers), and start_tables(oid),
// start_schemas(oid) and start_columns(relid, attnum), what it starts
// from. nullopt when `st` removes nothing it can start from. `retyped`:
// whether the columns an ALTER COLUMN ... TYPE changes are starting points
// too (the views on them; what PostgreSQL rebuilds is not removed).
std::optional<std::string> dropped_walk(const sql::Statement& st, bool retyped);

// Runs a query that starts with dropped_walk() in the run's transaction,
// with JIT compilation off for it (the session's setting is put back).
Result<db::QueryResult> query_walk(db::Connection& conn, const std::string& sql);

}  // namespace safedb::snapshot
