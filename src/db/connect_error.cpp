// Connection failures, translated from libpq's messages into one line that
// names the target and says in plain words what went wrong.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "db/libpq.h"
#include "db/pq_convert.h"

namespace safedb::db::detail {
namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// libpq's message for the last host it tried, without its "connection to
// server at ... failed: " prefix, the server's "FATAL:  " and the hint lines.
std::string failure_reason(const char* libpq_message) {
  std::string_view text = libpq_message == nullptr ? "" : libpq_message;
  std::string_view last;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.front() != '\t' && line.front() != ' ') last = line;
  }
  if (std::size_t at = last.find(" failed: ");
      last.starts_with("connection to server") && at != std::string_view::npos) {
    last.remove_prefix(at + 9);
  }
  for (std::string_view severity : {"FATAL:  ", "ERROR:  "}) {
    if (last.starts_with(severity)) last.remove_prefix(severity.size());
  }
  while (!last.empty() && (last.back() == ' ' || last.back() == '\r'))
    last.remove_suffix(1);
  return std::string(last);
}

// What went wrong, in plain words, from the reason libpq or the server gave.
std::string explain(const std::string& reason, const PGconn* conn) {
  const char* user = pq::PQuser(conn);
  const std::string who =
      user != nullptr && *user != '\0' ? fmt::format(" for user \"{}\"", user) : "";
  if (contains(reason, "password authentication failed")) {
    return fmt::format("authentication failed{} (wrong password)", who);
  }
  if (contains(reason, "no password supplied")) {
    return fmt::format(
        "authentication failed{}: the server wants a password and none was given "
        "(set PGPASSWORD or ~/.pgpass)",
        who);
  }
  if (contains(reason, "authentication failed"))
    return fmt::format("authentication failed{} ({})", who, reason);
  if (contains(reason, "database \"") && contains(reason, "\" does not exist")) {
    return fmt::format("database \"{}\" does not exist", pq::PQdb(conn));
  }
  for (std::string_view unreachable :
       {"Connection refused", "No such file or directory", "timeout expired",
        "could not translate host name", "Network is unreachable", "No route to host",
        "Connection timed out", "Cannot assign requested address"}) {
    if (contains(reason, unreachable)) return fmt::format("server unreachable ({})", reason);
  }
  if (reason.empty()) return "the connection failed for an unknown reason";
  return reason;
}

}  // namespace

std::string describe_target(const PGconn* conn) {
  const char* host = pq::PQhost(conn);
  const char* port = pq::PQport(conn);
  const char* db = pq::PQdb(conn);
  std::string_view h = host == nullptr ? "" : host;
  std::string_view p = port == nullptr || *port == '\0' ? "5432" : port;
  std::string where;
  if (h.empty() || h.front() == '/' || h.front() == '@') {
    // A Unix socket folder (or, starting with '@', an abstract socket name).
    where = fmt::format("socket {}/.s.PGSQL.{}", h.empty() ? "(default folder)" : h, p);
  } else if (contains(h, ":")) {
    where = fmt::format("[{}]:{}", h, p);  // IPv6
  } else {
    where = fmt::format("{}:{}", h, p);
  }
  if (db != nullptr && *db != '\0') where += fmt::format(", database \"{}\"", db);
  return where;
}

Error connect_error(const PGconn* conn) {
  const std::string reason = failure_reason(pq::PQerrorMessage(conn));
  return Error::usage(fmt::format("cannot connect to PostgreSQL at {}: {}", describe_target(conn),
                                  explain(reason, conn)));
}

Status check_conninfo(const std::string& conninfo) {
  if (Status loaded = pq::load(); !loaded) return loaded;
  char* message = nullptr;
  PQconninfoOption* options = pq::PQconninfoParse(conninfo.c_str(), &message);
  if (options != nullptr) {
    pq::PQconninfoFree(options);
    return {};
  }
  std::string reason = message == nullptr ? "out of memory" : first_line(message);
  if (message != nullptr) pq::PQfreemem(message);
  // libpq quotes the offending token. When the string may hold a password,
  // that token could be part of it: keep the reason but drop the quotes' content.
  const std::string lower = lowercase(conninfo);
  const bool may_hold_password =
      contains(lower, "password") || (contains(lower, "://") && contains(lower, "@"));
  if (may_hold_password) {
    std::string redacted;
    bool quoted = false;
    for (char c : reason) {
      if (c == '"') {
        redacted += quoted ? "\"" : "\"…";
        quoted = !quoted;
      } else if (!quoted) {
        redacted += c;
      }
    }
    reason = redacted;
  }
  return Error::usage("bad connection string: " + reason);
}

}  // namespace safedb::db::detail
