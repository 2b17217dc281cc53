#include "sql/lexer.h"

#include <array>

// Character classes and rules below are those of PostgreSQL 17's scan.l; the
// comments name the flex rules they mirror.

namespace safedb::sql {
namespace {

// One table look-up classifies a byte; the lexer runs over every byte of
// every file.
enum : unsigned char {
  kSpace = 1,        // {space}: [ \t\n\r\f\v]
  kHorizSpace = 2,   // {horiz_space}: [ \t\f\v]
  kIdentStart = 4,   // {ident_start} and {dolq_start}: [A-Za-z\200-\377_]
  kDigit = 8,        // [0-9]
  kDollar = 16,      // `$`, which {ident_cont} adds to {dolq_cont}
  kMaySeparate = 32  // may start a separator: {space}, `;`, `\`, `-` (`--`), `/` (`/*`)
};

constexpr std::array<unsigned char, 256> kClass = [] {
  std::array<unsigned char, 256> table{};
  for (char c : {' ', '\t', '\n', '\r', '\f', '\v'})
    table[static_cast<unsigned char>(c)] |= kSpace | kMaySeparate;
  for (char c : {' ', '\t', '\f', '\v'})
    table[static_cast<unsigned char>(c)] |= kHorizSpace;
  for (int c = 'a'; c <= 'z'; ++c)
    table[c] |= kIdentStart;
  for (int c = 'A'; c <= 'Z'; ++c)
    table[c] |= kIdentStart;
  for (int c = 0x80; c <= 0xff; ++c)
    table[c] |= kIdentStart;
  table['_'] |= kIdentStart;
  for (int c = '0'; c <= '9'; ++c)
    table[c] |= kDigit;
  table['$'] |= kDollar;
  for (char c : {';', '\\', '-', '/'})
    table[static_cast<unsigned char>(c)] |= kMaySeparate;
  return table;
}();

bool has(char c, unsigned char classes) {
  return (kClass[static_cast<unsigned char>(c)] & classes) != 0;
}
bool is_space(char c) {
  return has(c, kSpace);
}
bool is_horiz_space(char c) {
  return has(c, kHorizSpace);
}
bool is_newline(char c) {
  return c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return has(c, kDigit);
}
bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_oct_digit(char c) {
  return c >= '0' && c <= '7';
}
bool is_bin_digit(char c) {
  return c == '0' || c == '1';
}
bool is_ident_start(char c) {
  return has(c, kIdentStart);
}
// {dolq_cont}: [A-Za-z\200-\377_0-9]; {ident_cont} adds `$`.
bool is_dolq_cont(char c) {
  return has(c, kIdentStart | kDigit);
}

}  // namespace

// The first offset from `i` on whose byte is in none of `classes`, or the end.
// (Local pointers: the loop runs over most bytes of every file.)
std::size_t Lexer::skip_while(std::size_t i, unsigned char classes) const {
  const char* const begin = text_.data();
  const char* const end = begin + text_.size();
  const char* p = begin + i;
  while (p < end && has(*p, classes))
    ++p;
  return static_cast<std::size_t>(p - begin);
}

bool Lexer::next(Token& token) {
  pos_ = skip_while(pos_, kSpace);
  if (pos_ >= text_.size()) return false;
  token.start = pos_;
  token.end = pos_ + 1;
  const char c = text_[pos_];
  if (c == '-' && at(pos_ + 1) == '-') {
    // {comment} ends before \r or \n; scan() reports it as ending at the \n.
    token.kind = Token::Kind::comment;
    const std::size_t eol = text_.find('\n', token.start);
    token.end = eol == std::string_view::npos ? text_.size() : eol;
    pos_ = after_sql_comment(pos_, token.end);
  } else if (c == '/' && at(pos_ + 1) == '*') {
    token.kind = Token::Kind::comment;
    skip_c_comment();
    token.end = pos_;
  } else if (c == ';' || c == '\\') {
    token.kind = c == ';' ? Token::Kind::semicolon : Token::Kind::backslash;
    ++pos_;
  } else {
    token.kind = Token::Kind::other;
    do {
      skip_item();
    } while (pos_ < text_.size() && !(has(text_[pos_], kMaySeparate) && separator_at(pos_)));
  }
  return true;
}

// Whether a token that PostgreSQL never glues to the one before starts at `i`:
// white space, a comment (an operator stops before `--` and `/*`), `;` or `\`.
// REQUIRES: the byte at `i` is of class kMaySeparate (the caller's cheap test).
bool Lexer::separator_at(std::size_t i) const {
  const char c = text_[i];
  if (is_space(c) || c == ';' || c == '\\') return true;
  return (c == '-' && at(i + 1) == '-') || (c == '/' && at(i + 1) == '*');
}

// Skips one token (or the part of one that ends where a separator may start).
void Lexer::skip_item() {
  const char c = text_[pos_];
  const char c1 = at(pos_ + 1);
  const char c2 = at(pos_ + 2);
  if (is_ident_start(c)) {
    // {xbstart} {xhstart} {xestart} {xnstart} {xusstart} {xuistart}: the
    // prefixes count only at the start of a token, which is where we are.
    if (c1 != '\'' && c1 != '&') {  // {identifier}, by far the most common
      pos_ = skip_while(pos_ + 1, kIdentStart | kDigit | kDollar);
    } else if (c1 == '\'' && (c == 'b' || c == 'B' || c == 'x' || c == 'X')) {
      pos_ += 2;
      skip_string(Quote::bits);
    } else if (c1 == '\'' && (c == 'e' || c == 'E')) {
      pos_ += 2;
      skip_string(Quote::escapes);
    } else if (c1 == '\'' && (c == 'n' || c == 'N')) {
      pos_ += 2;
      skip_string(Quote::plain);
    } else if ((c == 'u' || c == 'U') && c1 == '&' && c2 == '\'') {
      pos_ += 3;
      skip_string(Quote::plain);
    } else if ((c == 'u' || c == 'U') && c1 == '&' && c2 == '"') {
      pos_ += 3;
      skip_quoted_identifier();
    } else {  // {identifier}: {ident_cont} is {dolq_cont} and `$`
      pos_ = skip_while(pos_ + 1, kIdentStart | kDigit | kDollar);
    }
  } else if (c == '\'') {
    ++pos_;
    skip_string(Quote::plain);
  } else if (c == '"') {
    ++pos_;
    skip_quoted_identifier();
  } else if (c == '$') {
    // {dolqdelim} opens a dollar quote; otherwise `$` is {param}'s first byte
    // or a token of its own ({dolqfailed} throws back all but the `$`).
    if (is_digit(c1)) {
      // {param} is \$[0-9]+ in libpg_query's lexer: no underscores, so in
      // `$6_1$$` the parameter is `$6` and `_1$$` an identifier.
      ++pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_]))
        ++pos_;
    } else if (!skip_dollar_quote()) {
      ++pos_;
    }
  } else if (is_digit(c) || (c == '.' && is_digit(c1))) {
    skip_number();
  } else {
    ++pos_;  // an operator character or any other single-byte token
  }
}

// Skips the rest of a string literal whose opening quote has been consumed.
// After the closing quote, {quotecontinue} glues on a literal that follows
// after white space holding a newline.
void Lexer::skip_string(Quote quote) {
  for (;;) {
    while (pos_ < text_.size()) {
      // Jump to the next byte that can end the literal or escape a quote.
      pos_ = quote == Quote::escapes ? text_.find_first_of("'\\", pos_) : text_.find('\'', pos_);
      if (pos_ == std::string_view::npos) break;
      const char c = text_[pos_];
      if (c == '\\' && quote == Quote::escapes) {
        pos_ += 2;  // {xeescape} {xeoctesc} {xehexesc} {xeunicode}: the quote is escaped
      } else if (c == '\'') {
        if (quote != Quote::bits && at(pos_ + 1) == '\'') {
          pos_ += 2;  // {xqdouble}
        } else {
          ++pos_;
          break;
        }
      } else {
        ++pos_;
      }
    }
    if (pos_ >= text_.size()) {
      pos_ = text_.size();
      return;
    }
    // {quotecontinue}: {whitespace_with_newline}{quote}. libpg_query's lexer
    // reports comments as tokens, so a comment here ends the literal.
    std::size_t i = pos_;
    while (i < text_.size() && is_horiz_space(text_[i]))
      ++i;
    if (i >= text_.size() || !is_newline(text_[i])) return;
    while (i < text_.size() && is_space(text_[i]))
      ++i;
    if (at(i) != '\'') return;
    pos_ = i + 1;
  }
}

// Skips the rest of a quoted identifier whose opening quote has been consumed.
void Lexer::skip_quoted_identifier() {
  while (pos_ < text_.size()) {
    pos_ = text_.find('"', pos_);
    if (pos_ == std::string_view::npos) {
      pos_ = text_.size();
      return;
    }
    if (text_[pos_] == '"') {
      if (at(pos_ + 1) != '"') {
        ++pos_;
        return;
      }
      ++pos_;  // {xddouble}
    }
    ++pos_;
  }
}

// {decinteger} {numeric} {real} {hexinteger} {octinteger} {bininteger}. What
// follows a number (a letter, `$`) starts a new token, as after {param}.
void Lexer::skip_number() {
  const char c1 = at(pos_ + 1);
  if (text_[pos_] == '0' && (c1 == 'x' || c1 == 'X')) {
    pos_ += 2;
    skip_digits(is_hex_digit, true);
  } else if (text_[pos_] == '0' && (c1 == 'o' || c1 == 'O')) {
    pos_ += 2;
    skip_digits(is_oct_digit, true);
  } else if (text_[pos_] == '0' && (c1 == 'b' || c1 == 'B')) {
    pos_ += 2;
    skip_digits(is_bin_digit, true);
  } else {
    skip_digits(is_digit, false);
    if (at(pos_) == '.' && at(pos_ + 1) != '.') {  // {numericfail}: `1..` is 1 then `..`
      ++pos_;
      skip_digits(is_digit, false);
    }
    const char e = at(pos_);
    const char sign = at(pos_ + 1);
    if ((e == 'e' || e == 'E') && is_digit(sign)) {
      pos_ += 1;
      skip_digits(is_digit, false);
    } else if ((e == 'e' || e == 'E') && (sign == '+' || sign == '-') && is_digit(at(pos_ + 2))) {
      pos_ += 2;
      skip_digits(is_digit, false);
    }
  }
}

// Digits with single underscores before them: {decinteger} is
// {decdigit}(_?{decdigit})*; after 0x, 0o and 0b the first digit may have one too.
void Lexer::skip_digits(bool (*digit)(char), bool leading_underscore) {
  bool underscore = leading_underscore;
  while (pos_ < text_.size()) {
    if (digit(text_[pos_])) {
      ++pos_;
      underscore = true;
    } else if (underscore && text_[pos_] == '_' && digit(at(pos_ + 1))) {
      pos_ += 2;
    } else {
      return;
    }
  }
}

// {dolqdelim} at pos_: skips the whole dollar-quoted string and returns true.
// The string ends at the first later occurrence of the same delimiter.
bool Lexer::skip_dollar_quote() {
  std::size_t i = pos_ + 1;
  if (i < text_.size() && is_ident_start(text_[i])) {
    ++i;
    while (i < text_.size() && is_dolq_cont(text_[i]))
      ++i;
  }
  if (at(i) != '$') return false;
  const std::string_view delimiter = text_.substr(pos_, i + 1 - pos_);
  const std::size_t close = text_.find(delimiter, i + 1);
  pos_ = close == std::string_view::npos ? text_.size() : close + delimiter.size();
  return true;
}

// Skips a /* */ comment starting at pos_; comments nest.
void Lexer::skip_c_comment() {
  int depth = 1;
  pos_ += 2;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '/' && at(pos_ + 1) == '*') {  // <xc>{xcstart}
      ++depth;
      pos_ += 2;
    } else if (c == '*') {  // <xc>{xcstop}: \*+\/
      while (pos_ < text_.size() && text_[pos_] == '*')
        ++pos_;
      if (at(pos_) == '/') {
        ++pos_;
        if (--depth == 0) return;
      }
    } else {
      ++pos_;
    }
  }
}

// Offset just past a `--` comment starting at `i` whose line ends at `eol`
// (a \n or the end): its first \r, or `eol`. (string_view::find_first_of
// would look up each byte of the comment in "\r\n" with a call of its own.)
std::size_t Lexer::after_sql_comment(std::size_t i, std::size_t eol) const {
  const std::size_t cr = text_.substr(0, eol).find('\r', i);
  return cr == std::string_view::npos ? eol : cr;
}

}  // namespace safedb::sql
