#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/db/query_result.h"
#include "safedb/db/target_identity.h"
#include "safedb/util/result.h"

namespace safedb::db {

// One session with a PostgreSQL server. This module is the only place that
// talks to the PostgreSQL client library; nothing here throws, every failure
// is an Error (or a DbError) with a message a user can act on.
//
// Thread safety: a Connection is used by one thread at a time, except for
// cancel(), which another thread (or a signal handler) may call while a
// statement runs. Move-only; a moved-from Connection may only be destroyed or
// assigned to.
class Connection {
 public:
  // Connects using a libpq connection string ("host=db port=5432 dbname=app")
  // or URI ("postgresql://user@db/app"); a bare word is a database name; an
  // empty string uses libpq's defaults and the PG* environment variables
  // (PGHOST, PGPORT, PGDATABASE, ...), which also fill in what a string omits.
  // Unless the string or PGCONNECT_TIMEOUT sets one, gives up after 10 s.
  //
  // Fails (exit status "usage") with one line naming the target (host or
  // socket, port, database; never a password) and what went wrong: bad
  // connection string, server unreachable, authentication failed, database
  // does not exist, or the server's own reason.
  static Result<Connection> open(const std::string& conninfo);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();  // closes the session; an open transaction is rolled back by the server

  // Runs `sql` as one simple-query message: one statement, or several
  // separated by semicolons (which the server then runs in one implicit
  // transaction unless they contain BEGIN/COMMIT). Returns the last
  // statement's result. COPY ... FROM STDIN / TO STDOUT is refused.
  //
  // On failure the Error (exit status "execution_failed") holds
  // DbError::summary(), and last_error() holds the server's full report.
  // NOTICEs and WARNINGs sent meanwhile are queued for take_notices().
  Result<QueryResult> exec(std::string_view sql);

  // Runs `sql`, a COPY ... TO STDOUT in text format, and hands each data row
  // to `sink` as it arrives (one row per call, with its trailing newline; the
  // view is valid only during the call). `sink` returns false to stop early:
  // the COPY is then cancelled and copy_out() fails with `sink_error`. Returns
  // the number of rows. Failures are reported like exec()'s.
  Result<std::int64_t> copy_out(std::string_view sql,
                                const std::function<bool(std::string_view row)>& sink,
                                const std::string& sink_error = "stopped by the reader");

  // Runs `sql`, a COPY ... FROM STDIN in text format, sending what `source`
  // yields: each call fills `chunk` with the next bytes (any split, not
  // necessarily whole rows) and returns true, or returns false at the end.
  // An Error from `source` aborts the COPY (the server discards it). Returns
  // the number of rows copied.
  Result<std::int64_t> copy_in(std::string_view sql,
                               const std::function<Result<bool>(std::string& chunk)>& source);

  // The failure of the most recent exec(), or nullopt if it succeeded.
  const std::optional<DbError>& last_error() const;

  // Returns and forgets the notices received since the last call, oldest first.
  std::vector<Notice> take_notices();

  // Asks the server to cancel the statement running on this session, if any;
  // that exec() then fails with SQLSTATE 57014. Returns false if the request
  // could not be sent. Safe to call from another thread or a signal handler
  // while exec() runs (it allocates nothing); REQUIRES: *this is not being
  // destroyed or moved concurrently.
  bool cancel() const noexcept;

  // The server process id serving this session (pg_backend_pid()).
  int backend_pid() const;

  // Reads which cluster, database and server this session is connected to.
  // Fails like exec(), e.g. when the connection broke or when the role may
  // not call pg_control_system().
  Result<TargetIdentity> identify();

  // The host as libpq reached it (name, address, or socket folder) and the port.
  std::string host() const;
  int port() const;

  // "127.0.0.1:5432, database \"app\"" or "socket /run/postgresql/.s.PGSQL.5432,
  // database \"app\"": how messages name this connection's target.
  std::string describe_target() const;

  // True while the session is usable (the connection did not break).
  bool is_open() const;

 private:
  struct State;
  explicit Connection(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;  // heap-allocated: libpq keeps a pointer to it
};

}  // namespace safedb::db
