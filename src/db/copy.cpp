// COPY streams: rows out of the server (for content hashes, snapshots and
// backups) and into it (for restores), without holding a table in memory.
#include <fmt/format.h>

#include "db/connection_state.h"
#include "db/libpq.h"
#include "db/pq_convert.h"

namespace safedb::db {
namespace {

// Reads every remaining result so that the session is ready for the next
// statement, keeping the first error seen in `last_error`.
void drain_results(PGconn* conn, std::optional<DbError>& last_error) {
  while (PGresult* result = pq::PQgetResult(conn)) {
    const ExecStatusType status = pq::PQresultStatus(result);
    if (status == PGRES_COPY_OUT) {
      char* buffer = nullptr;
      while (pq::PQgetCopyData(conn, &buffer, 0) > 0)
        pq::PQfreemem(buffer);
    } else if (status == PGRES_COPY_IN) {
      pq::PQputCopyEnd(conn, "unexpected COPY FROM STDIN");
    } else if ((status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) && !last_error) {
      last_error = detail::error_from_result(result);
    }
    pq::PQclear(result);
  }
}

// Sends `sql` and waits for the server to enter the expected COPY state.
Status start_copy(PGconn* conn, std::optional<DbError>& last_error, std::string_view sql,
                  ExecStatusType expected) {
  last_error.reset();
  const std::string text(sql);
  if (pq::PQsendQuery(conn, text.c_str()) != 1) {
    last_error = detail::error_from_message(pq::PQerrorMessage(conn));
    return detail::exec_failure(*last_error);
  }
  PGresult* first = pq::PQgetResult(conn);
  if (first == nullptr) {
    last_error = detail::error_from_message(pq::PQerrorMessage(conn));
    return detail::exec_failure(*last_error);
  }
  const ExecStatusType status = pq::PQresultStatus(first);
  if (status == expected) {
    pq::PQclear(first);
    return {};
  }
  if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
    last_error = detail::error_from_result(first);
  } else {
    last_error = detail::client_error(
        "0A000", fmt::format("expected a COPY {} statement",
                             expected == PGRES_COPY_OUT ? "... TO STDOUT" : "... FROM STDIN"));
  }
  pq::PQclear(first);
  drain_results(conn, last_error);
  return detail::exec_failure(*last_error);
}

// The row count of the COPY's final result ("COPY 42"), after which the
// session is ready again.
Result<std::int64_t> finish_copy(PGconn* conn, std::optional<DbError>& last_error) {
  std::int64_t rows = 0;
  while (PGresult* result = pq::PQgetResult(conn)) {
    const ExecStatusType status = pq::PQresultStatus(result);
    if (status == PGRES_COMMAND_OK) {
      const char* tuples = pq::PQcmdTuples(result);
      if (tuples != nullptr && *tuples != '\0') rows = std::strtoll(tuples, nullptr, 10);
    } else if (status != PGRES_COPY_OUT && status != PGRES_COPY_IN && !last_error) {
      last_error = detail::error_from_result(result);
    }
    pq::PQclear(result);
  }
  if (last_error) return detail::exec_failure(*last_error);
  return rows;
}

}  // namespace

Result<std::int64_t> Connection::copy_out(std::string_view sql,
                                          const std::function<bool(std::string_view row)>& sink,
                                          const std::string& sink_error) {
  State& s = *state_;
  if (Status started = start_copy(s.conn, s.last_error, sql, PGRES_COPY_OUT); !started)
    return started.error();
  bool stopped = false;
  for (;;) {
    char* buffer = nullptr;
    const int length = pq::PQgetCopyData(s.conn, &buffer, 0);
    if (length == -1) break;  // done; the final result follows
    if (length < 0) {
      s.last_error = detail::error_from_message(pq::PQerrorMessage(s.conn));
      break;
    }
    bool keep_going = false;
    try {
      keep_going = sink(std::string_view(buffer, static_cast<std::size_t>(length)));
    } catch (...) {
      pq::PQfreemem(buffer);
      cancel();
      drain_results(s.conn, s.last_error);
      throw;
    }
    pq::PQfreemem(buffer);
    if (!keep_going) {
      // Cancelling is the only way to stop a COPY TO early; the rest is discarded.
      stopped = true;
      cancel();
      char* rest = nullptr;
      while (pq::PQgetCopyData(s.conn, &rest, 0) > 0)
        pq::PQfreemem(rest);
      break;
    }
  }
  Result<std::int64_t> rows = finish_copy(s.conn, s.last_error);
  if (stopped) {
    s.last_error = detail::client_error("57014", sink_error);
    return detail::exec_failure(*s.last_error);
  }
  return rows;
}

Result<std::int64_t> Connection::copy_in(
    std::string_view sql, const std::function<Result<bool>(std::string& chunk)>& source) {
  State& s = *state_;
  if (Status started = start_copy(s.conn, s.last_error, sql, PGRES_COPY_IN); !started)
    return started.error();
  std::string chunk;
  std::optional<Error> failure;
  for (;;) {
    chunk.clear();
    Result<bool> more = source(chunk);
    if (!more) {
      failure = more.error();
      break;
    }
    if (!chunk.empty() &&
        pq::PQputCopyData(s.conn, chunk.data(), static_cast<int>(chunk.size())) != 1) {
      s.last_error = detail::error_from_message(pq::PQerrorMessage(s.conn));
      break;
    }
    if (!*more) break;
  }
  if (failure) {
    pq::PQputCopyEnd(s.conn, failure->message().c_str());
    (void)finish_copy(s.conn, s.last_error);
    s.last_error = detail::client_error("57014", failure->message());
    return *failure;
  }
  if (!s.last_error && pq::PQputCopyEnd(s.conn, nullptr) != 1)
    s.last_error = detail::error_from_message(pq::PQerrorMessage(s.conn));
  return finish_copy(s.conn, s.last_error);
}

}  // namespace safedb::db
