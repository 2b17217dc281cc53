#pragma once

#include <string>
#include <string_view>

namespace safedb::util {

// 'text' as a SQL string literal: single quotes doubled. REQUIRES: the
// session has standard_conforming_strings on (PostgreSQL's default since 9.1),
// so that backslashes are not escapes.
inline std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// "name" as a SQL identifier, always quoted (double quotes doubled), so that
// keywords, upper case and odd characters keep their meaning.
inline std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace safedb::util
