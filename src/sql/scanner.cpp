#include "sql/scanner.h"

// postgres.h (included by pg_query_internal.h) must precede the other headers.
// clang-format off
extern "C" {
#include <pg_query.h>
#include <pg_query_internal.h>
#include <parser/scanner.h>
#include <pg_query.pb-c.h>
}
// clang-format on

#include <cctype>

namespace safedb::sql {
namespace {

// Token numbers are the grammar's; libpg_query's protobuf enum names them.
constexpr int kSqlComment = PG_QUERY__TOKEN__SQL_COMMENT;
constexpr int kCComment = PG_QUERY__TOKEN__C_COMMENT;

// Runs the scanner over `text`, appending to `out`. Returns false when the
// scanner reports an error (an unterminated quote, say). Only C frames lie
// between PG_TRY and the scanner's error jump, so no C++ destructor is skipped.
bool run_scanner(const std::string& text, std::vector<Token>* out) {
  MemoryContext context = CurrentMemoryContext;
  volatile bool ok = true;
  PG_TRY();
  {
    core_yy_extra_type extra;
    core_YYSTYPE value;
    YYLTYPE location;
    core_yyscan_t scanner = scanner_init(text.c_str(), &extra, &ScanKeywords, ScanKeywordTokens);
    for (;;) {
      const int token = core_yylex(&value, &location, scanner);
      if (token == 0) break;
      Token t;
      t.start = static_cast<std::size_t>(location);
      t.end = t.start + 1;
      if (token == kCComment) {
        t.kind = Token::Kind::comment;
        t.end = static_cast<std::size_t>(extra.yyllocend);
      } else if (token == kSqlComment) {
        t.kind = Token::Kind::comment;
        std::size_t eol = text.find('\n', t.start);
        t.end = eol == std::string::npos ? text.size() : eol;
      } else if (token == '\\') {
        t.kind = Token::Kind::backslash;
      } else if (token == ';') {
        t.kind = Token::Kind::semicolon;
      }
      out->push_back(t);
    }
    scanner_finish(scanner);
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(context);
    FlushErrorState();
    ok = false;
  }
  PG_END_TRY();
  return ok;
}

}  // namespace

std::vector<Token> scan(const std::string& text) {
  std::vector<Token> tokens;
  if (!run_scanner(text, &tokens)) tokens.clear();
  return tokens;
}

std::pair<std::size_t, std::size_t> statement_extent(std::span<const Token> tokens, std::size_t end,
                                                     std::string_view text) {
  auto real = [](const Token& t) {
    return t.kind != Token::Kind::comment && t.kind != Token::Kind::semicolon;
  };
  // The statement starts at its first token that is not a comment.
  std::size_t first = end;
  std::size_t t = 0;
  for (; t < tokens.size(); ++t) {
    if (real(tokens[t])) {
      first = tokens[t].start;
      break;
    }
  }
  // It ends where white space and comments after its last token begin.
  for (std::size_t c = t; c < tokens.size(); ++c) {
    if (real(tokens[c])) t = c;
  }
  std::size_t last = end;
  for (bool trimmed = true; trimmed && last > first;) {
    trimmed = false;
    while (last > first && std::isspace(static_cast<unsigned char>(text[last - 1])))
      --last, trimmed = true;
    for (std::size_t c = t; c < tokens.size(); ++c) {
      if (tokens[c].kind == Token::Kind::comment && tokens[c].end == last &&
          tokens[c].start > tokens[t].start) {
        last = tokens[c].start;
        trimmed = true;
      }
    }
  }
  return {first, last};
}

}  // namespace safedb::sql
