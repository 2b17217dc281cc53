#include "db/pq_convert.h"
#include "db/libpq.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace safedb::db::detail {
namespace {

std::string field(const PGresult* result, int code) {
  const char* value = pq::PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

std::string trim_right(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

// The command tag's count: PQcmdTuples is "" for commands that report none.
std::optional<std::int64_t> affected_rows(const PGresult* result) {
  std::string_view count = pq::PQcmdTuples(const_cast<PGresult*>(result));
  if (count.empty()) return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  if (ec != std::errc() || end != count.data() + count.size()) return std::nullopt;
  return n;
}

}  // namespace

std::string first_line(const char* message) {
  if (message == nullptr) return {};
  std::string_view text(message);
  return trim_right(text.substr(0, text.find('\n')));
}

DbError error_from_result(const PGresult* result) {
  DbError error;
  error.sqlstate = field(result, PG_DIAG_SQLSTATE);
  error.severity = field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  error.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  error.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
  error.hint = field(result, PG_DIAG_MESSAGE_HINT);
  error.context = field(result, PG_DIAG_CONTEXT);
  std::string position = field(result, PG_DIAG_STATEMENT_POSITION);
  if (!position.empty()) error.position = std::atoi(position.c_str());
  // Errors libpq makes up itself (a broken connection) carry no fields.
  if (error.message.empty()) error.message = first_line(pq::PQresultErrorMessage(result));
  if (error.severity.empty()) error.severity = "ERROR";
  return error;
}

DbError error_from_message(const char* libpq_message) {
  DbError error;
  error.severity = "ERROR";
  error.message = first_line(libpq_message);
  if (error.message.empty()) error.message = "the connection to the server was lost";
  return error;
}

Notice notice_from_result(const PGresult* result) {
  Notice notice;
  notice.severity = field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  notice.sqlstate = field(result, PG_DIAG_SQLSTATE);
  notice.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  notice.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
  notice.hint = field(result, PG_DIAG_MESSAGE_HINT);
  if (notice.message.empty()) notice.message = first_line(pq::PQresultErrorMessage(result));
  return notice;
}

QueryResult query_result_from(const PGresult* result) {
  QueryResult out;
  const int columns = pq::PQnfields(result);
  const int rows = pq::PQntuples(result);
  out.columns.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c)
    out.columns.emplace_back(pq::PQfname(result, c));
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    std::vector<Cell>& row = out.rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (pq::PQgetisnull(result, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(pq::PQgetvalue(result, r, c),
                                     static_cast<std::size_t>(pq::PQgetlength(result, r, c))));
      }
    }
  }
  out.command_tag = pq::PQcmdStatus(const_cast<PGresult*>(result));
  out.affected_rows = affected_rows(result);
  return out;
}

}  // namespace safedb::db::detail
