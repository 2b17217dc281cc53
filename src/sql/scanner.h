#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace safedb::sql {

// A lexical token of PostgreSQL's own scanner.
struct Token {
  enum class Kind { comment, backslash, semicolon, other };
  std::size_t start = 0;  // byte offset of its first byte
  std::size_t end = 0;    // byte offset just past it; known for comments only
  Kind kind = Kind::other;
};

// Tokenises `text` with PostgreSQL's scanner (as built into libpg_query), which
// knows every quoting form (strings, E'', dollar quotes, quoted identifiers)
// and reports comments as tokens. Returns an empty list if the text does not
// scan (the parser then reports the problem with a better message).
// REQUIRES: a pg::Arena is alive (the scanner allocates in it).
std::vector<Token> scan(const std::string& text);

}  // namespace safedb::sql
