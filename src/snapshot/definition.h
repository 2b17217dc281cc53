#pragma once

// Internal to the snapshot module: a table's definition as JSON, and the SQL
// that recreates the table from it (docs/snapshots.md, "definition").

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// Reads the definition of the table with pg_class oid `oid` (decimal text):
// name, owner, columns (types, defaults, identity, generated, collation, NOT
// NULL, comments), constraints, indexes, triggers, row-level security
// policies, grants, owned sequences with their next value, the foreign
// keys of other tables that reference it, inheritance parents or the
// partitioned table and bound of a partition, replica identity, clustering
// index, row type of a typed table; with
// `dependencies`, also the user-defined types its columns use, the
// functions it calls (snapshot/types.h) and the publications that list it,
// which only a restore that recreates the table or a column needs. Names are
// schema-qualified.
Result<nlohmann::json> read_definition(db::Connection& conn, const std::string& oid,
                                       bool dependencies);

// Runs `read` with an empty search_path, so that the catalog prints every
// name schema-qualified; the session's own search_path is set back after a
// successful `read` (after a failed one the transaction is aborted anyway).
Result<nlohmann::json> with_qualified_names(db::Connection& conn,
                                            const std::function<Result<nlohmann::json>()>& read);

// Runs the query `sql` with the session's search_path empty, then sets it
// back; for a session outside a transaction block, where a SET LOCAL would
// not last (to read a restored object as the snapshot read it).
Result<db::QueryResult> query_qualified(db::Connection& conn, const std::string& sql);

// The owner and grants of the schema of relation `oid`, as {"owner":
// "<quoted role>", "grants": ["GRANT ... ON SCHEMA ...", ...]}.
Result<nlohmann::json> read_namespace(db::Connection& conn, const std::string& oid);

// The privileges on relation `oid` and its columns that others than its
// owner hold, as an array of {"definition": "GRANT ..."} objects.
Result<nlohmann::json> read_grants(db::Connection& conn, const std::string& oid);

// One column of a CREATE TABLE / ADD COLUMN: name, type, collation, and its
// default, identity or generation expression, and NOT NULL.
std::string column_sql(const nlohmann::json& definition, const nlohmann::json& column);

// "ALTER TABLE <table> ADD CONSTRAINT <name> <definition>" (SQL names, and
// the constraint as pg_get_constraintdef() prints it).
std::string add_constraint_sql(const std::string& table, const std::string& name,
                               const std::string& definition);

// The column's storage, compression and statistics target where they are
// not the defaults, as ALTER TABLE statements on `table` (SQL name).
std::vector<std::string> column_options_sql(const std::string& table, const nlohmann::json& column);

// The comment and the column privileges of `column`, a column of the table
// of `definition`, as statements; for a column added back on its own.
std::vector<std::string> column_comment_and_grants_sql(const nlohmann::json& definition,
                                                       const nlohmann::json& column);

// For column `column` (SQL name) of definition `d`, added back to its
// table on its own (the restore of a DROP COLUMN), when it owned a
// sequence: `before` creates a serial column's sequence again (its default
// calls it), `after` makes the column own it again, or makes an identity
// column one again (which needs it NOT NULL first). Both empty when the
// column owned none.
struct ColumnSequenceSql {
  std::vector<std::string> before;
  std::vector<std::string> after;
};
ColumnSequenceSql column_sequence_sql(const nlohmann::json& d, const std::string& column);

// The statements that create the table empty (owned sequences, the table
// with its columns, its row type if it is a typed table, the columns'
// storage), to run before its rows are loaded.
std::vector<std::string> create_table_sql(const nlohmann::json& definition);

// The statements that complete it once its rows are back: constraints,
// indexes, triggers, policies, grants, replica identity, clustering index,
// comments, owner, attaching a partition to its parent, publications, and
// the foreign keys of other tables that pointed at it.
std::vector<std::string> finish_table_sql(const nlohmann::json& definition);

}  // namespace safedb::snapshot
