#include "safedb/db/connection.h"
#include "db/libpq.h"

#include <fmt/format.h>

#include <cstdlib>
#include <vector>

#include "db/connection_state.h"
#include "db/pq_convert.h"

namespace safedb::db {

namespace {

void receive_notice(void* arg, const PGresult* result) {
  auto* notices = static_cast<std::vector<Notice>*>(arg);
  try {
    notices->push_back(detail::notice_from_result(result));
  } catch (...) {
    // Out of memory while queueing a notice: losing the notice is the lesser evil.
  }
}

// A bare word is a database name; anything with '=' or a URI scheme is a
// connection string that libpq must parse.
bool looks_like_conninfo(const std::string& text) {
  return text.find('=') != std::string::npos || text.starts_with("postgresql://") ||
         text.starts_with("postgres://");
}

}  // namespace

namespace detail {

DbError client_error(std::string sqlstate, std::string message) {
  DbError error;
  error.sqlstate = std::move(sqlstate);
  error.severity = "ERROR";
  error.message = std::move(message);
  return error;
}

Error exec_failure(const DbError& error) {
  return {ExitCode::execution_failed, error.summary()};
}

}  // namespace detail

Result<Connection> Connection::open(const std::string& conninfo) {
  if (Status loaded = pq::load(); !loaded) return loaded.error();
  if (looks_like_conninfo(conninfo)) {
    if (Status valid = detail::check_conninfo(conninfo); !valid) return valid.error();
  }
  // Defaults first: whatever the connection string says overrides them.
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  const char* env_timeout = std::getenv("PGCONNECT_TIMEOUT");
  if (env_timeout == nullptr || *env_timeout == '\0') {
    keywords.push_back("connect_timeout");
    values.push_back("10");
  }
  keywords.push_back("fallback_application_name");
  values.push_back("safedb");
  if (!conninfo.empty()) {
    keywords.push_back("dbname");
    values.push_back(conninfo.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);

  auto state = std::make_unique<State>();
  state->conn = pq::PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (state->conn == nullptr) return Error::usage("cannot connect to PostgreSQL: out of memory");
  if (pq::PQstatus(state->conn) != CONNECTION_OK) return detail::connect_error(state->conn);
  state->cancel = pq::PQgetCancel(state->conn);
  pq::PQsetNoticeReceiver(state->conn, receive_notice, &state->notices);
  return Connection(std::move(state));
}

Connection::Connection(std::unique_ptr<State> state) : state_(std::move(state)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Result<QueryResult> Connection::exec(std::string_view sql) {
  State& s = *state_;
  s.last_error.reset();
  try {
    const std::string text(sql);
    if (pq::PQsendQuery(s.conn, text.c_str()) != 1) {
      s.last_error = detail::error_from_message(pq::PQerrorMessage(s.conn));
      return detail::exec_failure(*s.last_error);
    }
    std::optional<QueryResult> last;
    // Every result must be read, even after an error, before the session is
    // ready for the next statement.
    while (PGresult* result = pq::PQgetResult(s.conn)) {
      const ExecStatusType status = pq::PQresultStatus(result);
      if (status == PGRES_COPY_IN) {
        pq::PQputCopyEnd(s.conn, "COPY FROM STDIN is not supported here");
      } else if (status == PGRES_COPY_OUT) {
        char* buffer = nullptr;
        while (pq::PQgetCopyData(s.conn, &buffer, 0) > 0)
          pq::PQfreemem(buffer);
        if (!s.last_error) {
          s.last_error = detail::client_error("0A000", "COPY TO STDOUT is not supported here");
        }
      } else if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE ||
                 status == PGRES_NONFATAL_ERROR) {
        if (!s.last_error) s.last_error = detail::error_from_result(result);
      } else if (!s.last_error) {
        last = detail::query_result_from(result);
      }
      pq::PQclear(result);
    }
    if (s.last_error) return detail::exec_failure(*s.last_error);
    if (!last) {
      // An empty query string: the server answers with no command at all.
      return QueryResult{};
    }
    return std::move(*last);
  } catch (const std::bad_alloc&) {
    s.last_error = detail::client_error("", "out of memory");
    return detail::exec_failure(*s.last_error);
  }
}

const std::optional<DbError>& Connection::last_error() const {
  return state_->last_error;
}

std::vector<Notice> Connection::take_notices() {
  std::vector<Notice> out;
  out.swap(state_->notices);
  return out;
}

bool Connection::cancel() const noexcept {
  if (!state_ || state_->cancel == nullptr) return false;
  char message[256];
  return pq::PQcancel(state_->cancel, message, sizeof message) == 1;
}

int Connection::backend_pid() const {
  return pq::PQbackendPID(state_->conn);
}

std::string Connection::host() const {
  const char* host = pq::PQhost(state_->conn);
  return host == nullptr ? std::string() : std::string(host);
}

int Connection::port() const {
  const char* port = pq::PQport(state_->conn);
  return port == nullptr ? 0 : std::atoi(port);
}

std::string Connection::describe_target() const {
  return detail::describe_target(state_->conn);
}

bool Connection::is_open() const {
  return state_ && state_->conn != nullptr && pq::PQstatus(state_->conn) == CONNECTION_OK;
}

}  // namespace safedb::db
