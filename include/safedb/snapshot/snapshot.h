#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "safedb/content/content.h"
#include "safedb/db/target_identity.h"
#include "safedb/exec/runner.h"
#include "safedb/sql/analysis.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

class RowFile;         // snapshot/row_file.h
class SideSession;     // snapshot/side_session.h
struct CascadedTable;  // snapshot/cascade.h

// One table saved before one statement (docs/snapshots.md, manifest.json).
struct SavedTable {
  int statement = 0;     // index of the statement in the file
  std::string kind;      // its parse node, e.g. "DeleteStmt"
  std::string destroys;  // "rows", "table", "column" or "schema" (sql::Destruction::Kind)
  std::string scope;     // "rows": only the rows the statement touches; "table": all
  std::string where;     // the predicate, for scope "rows"
  std::string note;      // remarks: why the whole table, triggers, key changes
  // For rows of another table that foreign keys changed along with the
  // statement: those keys ("orders_customer_id_fkey ON DELETE CASCADE");
  // empty for the tables the statement names.
  std::vector<std::string> via;
  std::string column;            // SQL name of the column, for "column"
  content::TableDigest digest;   // schema, name, columns, row count, content hash
  std::vector<std::string> key;  // SQL names of the primary key columns; empty: none
  std::string file;              // the rows as COPY output, within the snapshot folder
  content::CopyFormat format = content::CopyFormat::text;  // of the file and of digest.hash
  std::string sha256;                                      // of that file
  nlohmann::json definition;  // the table's definition (snapshot/definition.h)
};

// A view or materialized view that a statement drops along with what it
// names (DROP ... CASCADE, DROP COLUMN ... CASCADE): no rows of its own, so
// the snapshot keeps the SQL that recreates it (snapshot/views.h).
struct SavedView {
  int statement = 0;
  std::string kind;    // "view" or "materialized view"
  std::string name;    // schema-qualified SQL name
  std::string schema;  // its schema's name, unquoted
  // That schema's {"owner", "grants"} (as a table definition's "namespace"),
  // for a restore that has to create the schema again.
  nlohmann::json schema_as_it_was;
  std::string definition;  // pg_get_viewdef() with every name qualified
  // CREATE, then column defaults, indexes, triggers, rules, grants,
  // comments and owner; a materialized view is created WITH NO DATA.
  std::vector<std::string> sql;
  bool populated = false;  // a materialized view that held rows: REFRESH after the restore
  // For a populated materialized view, the content hash of the rows it held
  // (schema, name, columns, row count, hash; `rows_format` is that of the
  // hash), which the rows after the restore's REFRESH are compared with: a
  // view that was stale comes back with other rows.
  std::optional<content::TableDigest> rows;
  content::CopyFormat rows_format = content::CopyFormat::text;
};

// A part of a relation the statement keeps that the statement drops with
// what it names: an index, constraint, column default, trigger, policy,
// rule or statistics object that uses a dropped column, function, type,
// operator class or table (DROP COLUMN, DROP SCHEMA ... CASCADE, DROP
// EXTENSION ... CASCADE). Its relation keeps its rows, so the snapshot
// keeps only the SQL that adds the part again (snapshot/parts.h).
struct SavedPart {
  int statement = 0;
  // "index", "constraint", "default", "trigger", "policy", "rule" or "statistics"
  std::string kind;
  std::string relation;  // schema-qualified SQL name of the relation it belongs to
  std::string name;      // its SQL name; for a default, the column's
  // What the catalog printed for it (pg_get_indexdef(), pg_get_constraintdef(),
  // the default's expression, ...) with every name qualified; a restore
  // compares it with what the catalog prints afterwards.
  std::string definition;
  std::vector<std::string> sql;  // the statements that add it again, with its comment
  // The user-defined functions it calls, as a table definition's
  // "functions" (snapshot/types.h), and the extensions whose members it
  // uses ({"name", "version", "schema"}), for a restore that has to create
  // them again first.
  nlohmann::json functions = nlohmann::json::array();
  nlohmann::json extensions = nlohmann::json::array();
};

// A schema, its default privileges, a function, procedure, type, sequence or
// extension that a DROP takes with it (DROP SCHEMA ... CASCADE, DROP TYPE,
// DROP SEQUENCE, DROP FUNCTION, DROP EXTENSION, ...) and that nothing else
// saved brings back: neither a relation nor a part of one
// (snapshot/objects.h). It holds no rows (a sequence's value is in its SQL),
// so the snapshot keeps the SQL that creates it again.
struct SavedObject {
  int statement = 0;
  // "schema", "default privileges", "extension", "type", "sequence",
  // "function" or "procedure"
  std::string kind;
  // Its SQL name, schema-qualified; a function's with its argument types;
  // an extension's as pg_extension has it, unquoted; default privileges'
  // as "for role <role> in schema <schema> on TABLES" (or SEQUENCES, ...).
  std::string name;
  std::string schema;  // the schema it is (unquoted), or lives in
  // What the catalog printed for it (pg_get_functiondef(), the CREATE TYPE
  // or CREATE SEQUENCE, the extension's version, the schema's owner and
  // grants) with every name qualified; a restore compares it with what the
  // catalog prints afterwards.
  std::string definition;
  // The statements that create it again: with its owner, grants and
  // comment, and a sequence's value.
  std::vector<std::string> sql;
};

// What a run saved: snapshots/<run-id>/manifest.json.
struct Manifest {
  std::string run_id;
  std::string created;  // UTC, RFC 3339
  db::TargetIdentity target;
  std::vector<SavedTable> tables;
  // In the order they can be created: a view after the views it selects from.
  std::vector<SavedView> views;
  // In the order they can be added back: keys before the foreign keys on them.
  std::vector<SavedPart> parts;
  // In the order they can be created: schemas, extensions, types,
  // sequences, then functions and procedures, each kind in the order the
  // database created them.
  std::vector<SavedObject> objects;
  std::uint64_t bytes = 0;  // of all row files
};

nlohmann::json to_json(const Manifest& manifest);
Result<Manifest> manifest_from_json(const nlohmann::json& value);

// Why a snapshot cannot save what `st` destroys ("" when it can, or when it
// destroys nothing): the analyser's reason, or that an opaque statement's
// effect is unknown.
std::string unsnapshottable(const sql::Statement& st);

// Opens another session to the run's database, set up like the run's own
// (timeouts, application name).
using SessionOpener = std::function<Result<db::Connection>()>;

// True when the rows `st` destroys may be read on a second session while it
// runs (see Taker): it changes rows of one table, and saves either all of
// them or those of a predicate that is the same in any session.
bool may_read_alongside(const sql::Statement& st);

// Takes the pre-change snapshots of a run as a StatementGuard: before each
// statement in `statements` it locks what the statement destroys against
// concurrent writers (SHARE ROW EXCLUSIVE for rows, the statement's own
// ACCESS EXCLUSIVE otherwise) and saves those rows and definitions under
// `folder` (created on first use). Before COMMIT the files and the manifest
// are written and synced, so a committed change always has its snapshot on
// disk. When the transaction rolls back the folder is removed.
//
// A statement that cannot be snapshotted, or a snapshot larger than
// `max_size`, fails that statement (the run rolls back) and sets blocked().
//
// Read alongside: given `open_side`, the rows of a statement that
// may_read_alongside() are read on a second session while the statement
// runs, when the run's transaction has written nothing yet, is not inside
// a savepoint, and the second session has the same role and settings. That
// session imports the transaction's snapshot (taken after the lock), so it
// reads what the statement is about to change; after the statement,
// after_statement() waits for the read, and any failure of the read (or a
// snapshot found too large) fails the statement. Otherwise, and whenever
// the second session cannot join, the rows are read in the run's session
// before the statement.
class Taker : public exec::StatementGuard {
 public:
  Taker(std::string folder, std::string run_id, db::TargetIdentity target,
        std::vector<int> statements, std::optional<std::uint64_t> max_size, bool progress,
        SessionOpener open_side = {});
  ~Taker() override;

  std::optional<db::DbError> before_statement(db::Connection& conn,
                                              const sql::Statement& st) override;
  std::optional<db::DbError> after_statement(db::Connection& conn,
                                             const sql::Statement& st) override;
  std::optional<db::DbError> before_commit() override;
  void discard() override;

  // Why the run was refused for snapshot reasons (unsnapshottable, too big); "" otherwise.
  const std::string& blocked() const { return blocked_; }
  // What was saved, once before_commit() succeeded; nullopt otherwise.
  const std::optional<Manifest>& saved() const { return saved_; }
  // SHA-256 (hex) of the manifest file written; "" before.
  const std::string& manifest_sha256() const { return manifest_sha256_; }
  const std::string& folder() const { return folder_; }
  // How many tables' rows were read on the second session (saved or not).
  int read_alongside() const { return read_alongside_; }

 private:
  struct TableRead;  // one table on its way into the snapshot (taker_table.cpp)

  std::optional<db::DbError> refuse(std::string message);
  // Locks the table and reads its definition; fills `read` with the rest.
  std::optional<db::DbError> prepare_table(db::Connection& conn, const sql::Statement& st,
                                           const sql::Destruction& d, const std::string& oid,
                                           const std::string& lock_mode, TableRead& read);
  // The same for rows of a table that foreign keys change with the
  // statement (`whole`: save the whole table).
  std::optional<db::DbError> prepare_cascaded(db::Connection& conn, const sql::Statement& st,
                                              const CascadedTable& t, bool whole, TableRead& read);
  // True when the second session joined the run's transaction for `read`;
  // false when the rows must be read here, with `failed` set if the run's
  // transaction failed meanwhile.
  bool join_side(db::Connection& conn, const sql::Statement& st, const sql::Destruction& d,
                 const TableRead& read, std::optional<db::DbError>& failed);
  // Saves what a DROP removes beyond what it names (snapshot/dropped.h):
  // tables dropped as dependants, and columns whose type it drops.
  std::optional<db::DbError> save_dropped_with(db::Connection& conn, const sql::Statement& st);
  // Reads the rows into the row file on `conn` (the run's or the second session).
  void read_rows(db::Connection& conn, TableRead& read);
  // Adds a read table to the manifest, or says why it cannot be.
  std::optional<db::DbError> finish_table(TableRead& read);

  std::string folder_;
  std::string run_id_;
  db::TargetIdentity target_;
  std::vector<int> statements_;
  std::optional<std::uint64_t> max_size_;
  bool progress_ = false;
  Manifest manifest_;
  std::vector<std::unique_ptr<RowFile>> files_;  // the row files of manifest_, open
  std::vector<std::string> new_folders_;         // folder_ and the parents it created
  std::string blocked_;
  std::optional<Manifest> saved_;
  std::string manifest_sha256_;
  bool savepoint_ = false;  // the transaction ran SAVEPOINT, RELEASE or ROLLBACK TO
  int read_alongside_ = 0;
  std::unique_ptr<TableRead> pending_;  // being read on side_ while its statement runs
  std::unique_ptr<SideSession> side_;   // declared last: its read uses the members above
};

// Reads snapshots/<run-id>/manifest.json and checks every row file against
// the manifest (size and SHA-256). `expected_sha256`, when given, is the
// manifest digest the run's signed outcome record holds; a manifest that
// differs from it was edited. Fails (exit status "no") naming the file.
Result<Manifest> load(const std::string& folder, const std::optional<std::string>& expected_sha256);

}  // namespace safedb::snapshot
