#include "safedb/db/query_result.h"

#include <fmt/format.h>

namespace safedb::db {
namespace {

// Keeps a summary on one line whatever the server put in its texts.
std::string one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty() && out.back() != ' ') out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string DbError::summary() const {
  std::string out = one_line(message);
  if (!sqlstate.empty()) out += fmt::format(" (SQLSTATE {})", sqlstate);
  if (!detail.empty()) out += "; DETAIL: " + one_line(detail);
  if (!hint.empty()) out += "; HINT: " + one_line(hint);
  return out;
}

std::optional<std::size_t> QueryResult::column_index(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  return std::nullopt;
}

}  // namespace safedb::db
