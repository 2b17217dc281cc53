#include "sql/scanner.h"

extern "C" {
#include <pg_query.h>
#include <pg_query.pb-c.h>
}

namespace safedb::sql {

std::vector<Token> scan(const std::string& text) {
  std::vector<Token> tokens;
  PgQueryScanResult result = pg_query_scan(text.c_str());
  if (result.error == nullptr) {
    PgQuery__ScanResult* scanned = pg_query__scan_result__unpack(
        nullptr, result.pbuf.len, reinterpret_cast<const uint8_t*>(result.pbuf.data));
    if (scanned != nullptr) {
      tokens.reserve(scanned->n_tokens);
      for (std::size_t i = 0; i < scanned->n_tokens; ++i) {
        const PgQuery__ScanToken* t = scanned->tokens[i];
        Token token{static_cast<std::size_t>(t->start), static_cast<std::size_t>(t->end),
                    Token::Kind::other};
        switch (t->token) {
          case PG_QUERY__TOKEN__SQL_COMMENT:
          case PG_QUERY__TOKEN__C_COMMENT:
            token.kind = Token::Kind::comment;
            break;
          case PG_QUERY__TOKEN__ASCII_92:
            token.kind = Token::Kind::backslash;
            break;
          case PG_QUERY__TOKEN__ASCII_59:
            token.kind = Token::Kind::semicolon;
            break;
          default:
            break;
        }
        tokens.push_back(token);
      }
      pg_query__scan_result__free_unpacked(scanned, nullptr);
    }
  }
  pg_query_free_scan_result(result);
  return tokens;
}

}  // namespace safedb::sql
