#pragma once

#include <cstddef>
#include <string_view>

#include "sql/scanner.h"

namespace safedb::sql {

// A byte-level tokeniser that agrees with PostgreSQL's lexer on what the
// analyser takes from tokens, at a fraction of its cost:
//   - comments: where they start and end (Token::end as scan() reports it);
//   - the `;` and `\` tokens;
//   - where the other tokens start when white space, a comment, `;` or `\`
//     precedes them. Tokens with nothing between them (`a+b`, `f(x)`, `'a'::t`)
//     come back as one `other` token starting where the first one starts.
// To get there it follows the rules that decide whether `--`, `/*`, `;` or `\`
// is a token: strings (with E, B, X, N and U& prefixes, doubled quotes,
// backslash escapes in E'', and the continuation of a string literal over a
// newline), dollar quotes, quoted identifiers, nested /* */ comments, and
// identifiers and numbers that swallow `$` or letters.
//
// It never fails and never reads outside `text`. For text that PostgreSQL's
// lexer rejects (an unterminated quote, junk after a number) the tokens are
// unspecified; the grammar rejects such text anyway. tests/sql/lexer_test.cpp
// and tests/fuzz/fuzz_lexer.cpp compare it with scan().
class Lexer {
 public:
  // REQUIRES: `from` is 0 or the offset just past a token that PostgreSQL's
  // lexer ends in its initial state (such as `;`).
  explicit Lexer(std::string_view sql, std::size_t from = 0) : text_(sql), pos_(from) {}

  // Stores the next token and returns true; false at the end of the text.
  bool next(Token& token);

 private:
  enum class Quote { plain, escapes, bits };  // '' and N'' and U&'', E'', B'' and X''

  char at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }
  bool separator_at(std::size_t i) const;
  std::size_t skip_while(std::size_t i, unsigned char classes) const;
  void skip_item();
  void skip_string(Quote quote);
  void skip_quoted_identifier();
  void skip_number();
  void skip_digits(bool (*digit)(char), bool leading_underscore);
  bool skip_dollar_quote();
  void skip_c_comment();
  std::size_t after_sql_comment(std::size_t i, std::size_t eol) const;

  std::string_view text_;
  std::size_t pos_;
};

}  // namespace safedb::sql
