#pragma once

// Internal to the database module: the state behind a Connection, shared by
// connection.cpp (queries) and copy.cpp (COPY streams).

#include "db/libpq.h"

#include <optional>
#include <vector>

#include "safedb/db/connection.h"

namespace safedb::db {

// Everything libpq points back to lives here, on the heap, so that moving a
// Connection does not move it.
struct Connection::State {
  PGconn* conn = nullptr;
  PGcancel* cancel = nullptr;  // prepared at connect time so cancel() allocates nothing
  std::vector<Notice> notices;
  std::optional<DbError> last_error;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (cancel != nullptr) pq::PQfreeCancel(cancel);
    if (conn != nullptr) pq::PQfinish(conn);
  }
};

namespace detail {

// An error raised on the client side (no server report), e.g. out of memory.
DbError client_error(std::string sqlstate, std::string message);

// How exec() and the COPY functions fail: exit status "execution_failed"
// with the error's one-line summary.
Error exec_failure(const DbError& error);

}  // namespace detail
}  // namespace safedb::db
