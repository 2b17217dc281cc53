#pragma once

// Internal to the snapshot module: one table on its way into a run's
// snapshot (taker_table.cpp).

#include <optional>
#include <string>

#include "safedb/snapshot/snapshot.h"

namespace safedb::snapshot {

// An error that fails the statement being snapshotted, with the server's
// fields left empty.
db::DbError snapshot_error(std::string message, std::string hint = "");

struct Taker::TableRead {
  SavedTable saved;      // everything but sha256 until finish_table()
  std::string oid;       // of the table
  std::string sql_name;  // schema.name, quoted
  bool temporary = false;
  int trigger_events = 0;   // pg_trigger.tgtype event bits; 0: those of the statement's kind
  std::string copy;         // the COPY … TO STDOUT that reads the rows
  RowFile* file = nullptr;  // in Taker::files_

  // What reading the rows ended with (read_rows()).
  bool too_big = false;              // stopped at the policies' max_size
  std::string write_error;           // the row file could not be written
  std::optional<db::DbError> error;  // the server's report, or safedb's
};

}  // namespace safedb::snapshot
