#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/util/progress.h"
#include "safedb/util/result.h"

namespace safedb::content {

// What a table held at one moment, as a content hash over the rows COPY
// prints (see crypto::MultisetHash and hash_copy()): equal digests mean
// equal multisets of rows, in whatever order the server returns them.
struct TableDigest {
  std::string schema;
  std::string name;
  std::vector<std::string> columns;  // "name type" of each column COPY prints, in order
  std::int64_t rows = 0;
  std::uint64_t bytes = 0;  // of the COPY output
  std::string hash;         // 64 hex digits

  std::string qualified() const;  // schema.name as people read it (unquoted)
  std::string sql_name() const;   // "schema"."name", quoted for SQL
};

// Sets, for the rest of the session, every setting that changes how values
// are printed (DateStyle, IntervalStyle, TimeZone, extra_float_digits,
// bytea_output, client_encoding, ...), so that the same data hashes the same
// on any server and in any session.
Status pin_text_output(db::Connection& conn);

// The settings pin_text_output() pins, with their values: everyone who must
// print values the same way (snapshots pin them for one transaction only)
// uses this one list.
struct OutputSetting {
  const char* name;
  const char* value;
};
std::span<const OutputSetting> text_output_settings();

// The tables whose rows pg_dump saves: ordinary tables (partitions included;
// a partitioned parent holds no rows itself) outside the system schemas,
// except temporary tables and tables that belong to an extension.
// Sorted by schema, then name.
Result<std::vector<TableDigest>> list_tables(db::Connection& conn);

// The format of a COPY: text (backups and most snapshots) or binary
// (snapshots of tables whose types all have binary send and receive
// functions, docs/snapshots.md).
enum class CopyFormat { text, binary };

// Streams `copy_sql`, a COPY ... TO STDOUT in `format`, and hashes its rows
// into `digest` (rows, bytes, hash): in text format each row as COPY prints
// it, newline included; in binary format each tuple as COPY sends it, from
// its 16-bit field count to the end of its last field (the header and the
// trailer are counted in `bytes` but hashed with no row).
//
// `tee`, when given, sees every byte COPY sent once, in order, in runs of
// whole rows (e.g. to write them to a file; returning false stops with an
// error naming `tee_error`). It may run on a second thread while the next
// rows arrive: it must not touch `conn`, and what it changes is the
// caller's again once hash_copy() returns. REQUIRES: pin_text_output() ran
// on this session, or the same settings are in effect.
Status hash_copy(db::Connection& conn, std::string_view copy_sql, CopyFormat format,
                 TableDigest& digest, util::Progress& progress,
                 const std::function<bool(std::string_view rows)>& tee = {},
                 const std::string& tee_error = "");

// list_tables() with every table hashed: the content manifest of a database.
// REQUIRES: pin_text_output() ran on this session; run it in one REPEATABLE
// READ transaction for a consistent picture.
Result<std::vector<TableDigest>> digest_database(db::Connection& conn, util::Progress& progress);

// One way in which two manifests differ, for reports.
struct Difference {
  std::string table;  // schema.name
  std::string what;   // "missing in the restored copy", "rows: 100 expected, 99 found", ...
};

// Compares what was expected with what was found, table by table; empty when
// they agree exactly (same tables, columns, row counts and hashes).
std::vector<Difference> compare(const std::vector<TableDigest>& expected,
                                const std::vector<TableDigest>& found);

// JSON form used in manifests (docs/backups.md):
// {"schema","name","columns":[...],"rows","bytes","hash"}.
nlohmann::json to_json(const TableDigest& digest);
// Reads that form back; the error names the first bad or missing key.
Result<TableDigest> table_digest_from_json(const nlohmann::json& value);

}  // namespace safedb::content
