#pragma once

// Compares the byte-level Lexer with PostgreSQL's lexer (scan()) on one text,
// in what the analyser takes from tokens. Shared by tests/sql/lexer_test.cpp
// and the differential fuzz target tests/fuzz/fuzz_lexer.cpp.

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sql/file_tokens.h"
#include "sql/lexer.h"
#include "sql/pg_api.h"
#include "sql/scanner.h"

namespace safedb::test {

// "" when the lexers agree on `text` or PostgreSQL's lexer rejects it (the
// Lexer's tokens are unspecified then); otherwise what differs.
inline std::string lexer_disagreement(const std::string& text) {
  using sql::Token;
  std::vector<Token> pg_tokens;
  {
    sql::pg::Arena arena;
    pg_tokens = sql::scan(text);
  }
  if (pg_tokens.empty()) return "";  // rejected, or nothing but white space

  std::vector<Token> ours;
  sql::Lexer lexer(text);
  for (Token t; lexer.next(t);)
    ours.push_back(t);

  // Comments, `;` and `\` tokens: the same, in the same places.
  auto marks = [](const std::vector<Token>& tokens) {
    std::string out;
    for (const Token& t : tokens) {
      if (t.kind == Token::Kind::comment) out += fmt::format("comment {}-{} ", t.start, t.end);
      if (t.kind == Token::Kind::semicolon) out += fmt::format("; {} ", t.start);
      if (t.kind == Token::Kind::backslash) out += fmt::format("\\ {} ", t.start);
    }
    return out;
  };
  if (marks(pg_tokens) != marks(ours))
    return fmt::format("marks differ:\n  pg:    {}\n  lexer: {}", marks(pg_tokens), marks(ours));

  // Every token of ours starts where one of PostgreSQL's does.
  for (const Token& t : ours) {
    auto same = [&](const Token& p) { return p.start == t.start; };
    if (std::none_of(pg_tokens.begin(), pg_tokens.end(), same))
      return fmt::format("lexer token at {} starts inside a PostgreSQL token", t.start);
  }

  // The extent of every range between `;` tokens, as FileTokens finds it.
  if (std::any_of(ours.begin(), ours.end(),
                  [](const Token& t) { return t.kind == Token::Kind::backslash; }))
    return "";  // the analyser uses scan() then
  const sql::FileTokens file_tokens(text);
  std::vector<std::size_t> begins{0};
  for (const Token& t : pg_tokens) {
    if (t.kind == Token::Kind::semicolon) begins.push_back(t.start + 1);
  }
  for (std::size_t i = 0; i < begins.size(); ++i) {
    const std::size_t begin = begins[i];
    const std::size_t end = i + 1 < begins.size() ? begins[i + 1] - 1 : text.size();
    std::vector<Token> theirs;
    for (const Token& t : pg_tokens) {
      if (t.start >= begin && t.start < end) theirs.push_back(t);
    }
    std::vector<Token> local;
    file_tokens.statement_tokens(begin, end, local);
    auto expected = sql::statement_extent(theirs, end, text);
    auto got = sql::statement_extent(local, end, text);
    if (expected != got) {
      return fmt::format("extent of [{}, {}) differs: pg [{}, {}), lexer [{}, {})", begin, end,
                         expected.first, expected.second, got.first, got.second);
    }
  }
  return "";
}

}  // namespace safedb::test
