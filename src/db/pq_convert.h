#pragma once

// Internal to the database module: conversions from libpq's structures into
// the module's own types. Only src/db/ includes libpq headers.
//
// The module uses libpq's C API rather than libpqxx 6: libpqxx's exceptions
// carry only the SQLSTATE (no detail, hint or statement position), its notice
// handlers receive preformatted text, and its cancel_query() allocates, so it
// cannot be called from a signal handler. PQresultErrorField, a notice
// receiver and a PGcancel prepared at connect time give all three.

#include "db/libpq.h"

#include <string>

#include "safedb/db/query_result.h"
#include "safedb/util/result.h"

namespace safedb::db::detail {

// The error a failed PGresult reports. REQUIRES: result != nullptr.
DbError error_from_result(const PGresult* result);
// An error libpq reported without a result (e.g. the connection broke):
// its first line, with no SQLSTATE.
DbError error_from_message(const char* libpq_message);
// A NOTICE/WARNING as passed to a notice receiver. REQUIRES: result != nullptr.
Notice notice_from_result(const PGresult* result);
// Columns, rows and command tag of a successful PGresult. REQUIRES: result != nullptr.
QueryResult query_result_from(const PGresult* result);

// The first line of a libpq message, without trailing whitespace.
std::string first_line(const char* message);

// How messages name the target: "127.0.0.1:5432, database \"app\"" or
// "socket /tmp/.s.PGSQL.5432, database \"app\"". Never includes a password.
std::string describe_target(const PGconn* conn);

// Turns a failed connection attempt into one line naming the target and
// saying what went wrong. REQUIRES: conn != nullptr, pq::PQstatus(conn) == CONNECTION_BAD.
Error connect_error(const PGconn* conn);

// Checks a connection string before connecting; the error message never
// repeats parts of a string that may hold a password.
Status check_conninfo(const std::string& conninfo);

}  // namespace safedb::db::detail
