#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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

// Where a statement's text starts and ends, without the white space and
// comments around it: [first, last). `tokens` are those that start in
// [begin, end), where [begin, end) is the statement's range as the grammar
// reports it. first >= last when they hold no token but comments and `;`.
std::pair<std::size_t, std::size_t> statement_extent(std::span<const Token> tokens, std::size_t end,
                                                     std::string_view text);

}  // namespace safedb::sql
