#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace safedb::sql {

// A lexical token of PostgreSQL's own scanner: byte offsets [start, end).
struct Token {
  enum class Kind { comment, backslash, semicolon, other };
  std::size_t start = 0;
  std::size_t end = 0;
  Kind kind = Kind::other;
};

// Tokenises `text` with libpg_query's scanner, which knows every quoting form
// (strings, E'', dollar quotes, quoted identifiers) and reports comments as
// tokens. Returns an empty list if the text does not scan (the parser then
// reports the problem with a better message).
std::vector<Token> scan(const std::string& text);

}  // namespace safedb::sql
