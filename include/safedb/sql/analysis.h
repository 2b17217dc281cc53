#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/sql/effect.h"
#include "safedb/sql/source.h"
#include "safedb/util/result.h"

namespace safedb::sql {

enum class Severity { info, warning, error };
std::string_view to_string(Severity severity);
std::optional<Severity> severity_from_string(std::string_view name);

// Table-level lock modes, weakest first, as PostgreSQL names them.
enum class LockMode {
  none,
  access_share,
  row_share,
  row_exclusive,
  share_update_exclusive,
  share,
  share_row_exclusive,
  exclusive,
  access_exclusive,
};
std::string_view to_string(LockMode mode);  // "ROW EXCLUSIVE"; "" for none
// True for SHARE and stronger: modes that block writes (and, from EXCLUSIVE, reads).
bool blocks_writes(LockMode mode);

struct Finding {
  std::string rule;  // stable kebab-case id, see rules.h
  Severity severity = Severity::warning;
  std::string message;  // what is wrong here, naming the objects involved
  std::string help;     // how to do it safely
  Position position;
  // Set when an inline "-- safedb:ignore <rule> <reason>" covers the finding;
  // suppressed findings are still reported but never fail a check.
  std::optional<std::string> suppressed_because;
};

// What a top-level data-loss statement destroys, so that a pre-change
// snapshot can save exactly that first. Relations are SQL text as the
// statement names them (resolved by the server, with the session's
// search_path, when the snapshot is taken).
struct Destruction {
  enum class Kind {
    rows,    // DELETE / UPDATE / MERGE / upsert: rows of `relation` (all of them, or `where`)
    table,   // TRUNCATE / DROP TABLE: the whole table, data and definition
    column,  // DROP COLUMN / ALTER COLUMN TYPE of `column`: the whole table
    schema,  // DROP SCHEMA: every table in it
    // DROP TYPE / DROP DOMAIN / DROP EXTENSION (`relation`: its SQL name):
    // no table of its own; with CASCADE, the columns of its types elsewhere
    // (the snapshot finds them in the catalog).
    type,
    extension,
    // DROP VIEW (`relation`: its SQL name): no rows; the snapshot saves the
    // view's definition, and what CASCADE takes with it.
    view,
    // DROP SEQUENCE (`relation`: its SQL name): the snapshot saves the
    // sequence with its value, and the column defaults CASCADE takes.
    sequence,
    // ALTER SEQUENCE ... RESTART (`relation`: its SQL name), or ALTER TABLE
    // ... ALTER COLUMN ... RESTART of an identity (`relation`: the table,
    // `column`: the column): nothing is dropped, but the sequence may hand
    // out values in use again; the snapshot saves where it stood.
    sequence_value,
    // DROP FUNCTION (`relation`: its signature, "\"app\".\"f\"(\"pg_catalog\".\"int4\")",
    // or its name alone when the DROP gives no argument list): the snapshot
    // saves the function, and what CASCADE takes with it.
    function,
  };
  Kind kind = Kind::rows;
  std::string relation;  // SQL: "messages", "\"App\".\"Log\"" (a schema name for Kind::schema)
  bool only = false;     // ONLY: inheritance children are not touched
  std::string alias;     // SQL of the alias the predicate may use; "" when none
  // For Kind::rows: the predicate's SQL text when it selects exactly the
  // rows the statement touches (no joins, sub-queries, volatile functions or
  // cursors); empty when the whole table is saved, and then `whole_because`
  // says why ("no WHERE clause", "joins other tables", ...).
  std::string where;
  std::string whole_because;
  // For a `where`: true when it selects the same rows in another session
  // that imports this transaction's snapshot with the same settings (no
  // function but immutable built-ins, no CURRENT_DATE-like value, no literal
  // such as 'now'; sql::same_in_any_session), so a snapshot may read the
  // rows there while the statement runs here.
  bool where_in_any_session = false;
  // For an UPDATE: the columns it sets, as the grammar folds their names
  // (foreign keys that cascade on update apply only when these include a
  // referenced column); empty otherwise.
  std::vector<std::string> updated_columns;
  std::string column;   // the column's name (not quoted), for Kind::column
  bool retype = false;  // for Kind::column: ALTER COLUMN TYPE, which keeps what uses the column
  // For Kind::function: DROP PROCEDURE or DROP ROUTINE, which PostgreSQL
  // also matches by all of a procedure's arguments, OUT ones included, when
  // its input arguments do not match.
  bool routine = false;
  bool cascade = false;  // CASCADE: dependants (referencing tables, for TRUNCATE) too
};

// One top-level statement of a file, as the PostgreSQL grammar sees it.
struct Statement {
  int index = 0;           // 0-based position in the file
  Position position;       // first token of the statement
  std::size_t offset = 0;  // byte range of the statement text in the source,
  std::size_t length = 0;  //   without the terminating semicolon
  std::string kind;        // parse node name, e.g. "DeleteStmt"; "PsqlMetaCommand"
  EffectSet effects;
  std::vector<std::string> objects;  // "schema.name" of relations written, altered or dropped
  LockMode lock = LockMode::none;    // strongest lock taken on an existing relation
  // BEGIN, START TRANSACTION, COMMIT, ROLLBACK (not TO SAVEPOINT), PREPARE
  // TRANSACTION, COMMIT/ROLLBACK PREPARED: statements that end or open
  // transactions, which a single-transaction run cannot honour.
  bool transaction_control = false;
  std::vector<Finding> findings;
  // For statements with the data-loss effect: what a snapshot must save, or,
  // when safedb cannot say (DROP DATABASE, code in DO blocks, data-modifying
  // WITH queries, ...), why not in `unsnapshottable`.
  std::vector<Destruction> destroys;
  std::string unsnapshottable;

  std::string_view text(const Source& source) const {
    return std::string_view(source.text()).substr(offset, length);
  }
};

struct FileAnalysis {
  std::string path;
  std::vector<Statement> statements;
  // Findings that belong to no statement (e.g. a malformed suppression comment).
  std::vector<Finding> file_findings;
};

struct AnalysisOptions {
  // Work out what each data-loss statement destroys (Statement::destroys and
  // unsnapshottable), which pre-change snapshots and their gate need; an
  // offline check has no use for it and skips the extra parsing.
  bool destructions = true;
};

// Splits, parses and classifies every statement of `source`. Fails (exit
// status "usage") only when the file does not parse; the error names the file,
// line and column. Never throws, whatever the bytes.
Result<FileAnalysis> analyse(const Source& source, AnalysisOptions options = {});

// The PostgreSQL grammar the analyser was built with, e.g. "17.4".
std::string_view grammar_version();

}  // namespace safedb::sql
