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

}  // namespace safedb::sql
