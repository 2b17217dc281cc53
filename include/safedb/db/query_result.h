#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace safedb::db {

// What the server (or libpq, for a lost connection) said about a statement
// that failed. Fields PostgreSQL did not send are empty (or 0).
struct DbError {
  std::string sqlstate;  // five characters, e.g. "25001"; empty when the connection broke
  std::string severity;  // "ERROR", "FATAL" or "PANIC", never translated
  std::string message;   // the primary message, e.g. relation "t" does not exist
  std::string detail;    // DETAIL: facts about the failure
  std::string hint;      // HINT: what to do about it
  std::string context;   // CONTEXT: where it happened, e.g. inside a PL/pgSQL function
  // 1-based position, in characters (not bytes), within the statement text
  // sent to exec(), of the token the error refers to; 0 when none.
  int position = 0;

  // One line for humans: "<message> (SQLSTATE 42P01)", followed by
  // "; DETAIL: ..." and "; HINT: ..." when present.
  std::string summary() const;
};

// A NOTICE, WARNING, INFO, LOG or DEBUG message the server sent while a
// statement ran (e.g. "table \"t\" does not exist, skipping").
struct Notice {
  std::string severity;  // "NOTICE", "WARNING", ...; never translated
  std::string sqlstate;  // e.g. "00000", "01000"
  std::string message;
  std::string detail;
  std::string hint;
};

// A cell: the value in PostgreSQL's text output format, or nullopt for NULL.
using Cell = std::optional<std::string>;

// The outcome of a successful exec(). When the text held several statements,
// this is the last one's result.
struct QueryResult {
  std::vector<std::string> columns;     // column names, in order; empty for commands
  std::vector<std::vector<Cell>> rows;  // each row has columns.size() cells
  std::string command_tag;              // e.g. "UPDATE 3", "CREATE INDEX", "SELECT 2"
  // Rows inserted, updated, deleted, merged, selected, fetched, moved or
  // copied, per the command tag; nullopt for commands that report no count.
  std::optional<std::int64_t> affected_rows;

  // REQUIRES: row < rows.size(), column < columns.size().
  const Cell& at(std::size_t row, std::size_t column) const { return rows[row][column]; }
  // Index of the column named `name`; nullopt if there is none.
  std::optional<std::size_t> column_index(const std::string& name) const;
};

}  // namespace safedb::db
