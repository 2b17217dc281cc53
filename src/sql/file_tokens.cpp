#include "sql/file_tokens.h"

#include <algorithm>

namespace safedb::sql {

FileTokens::FileTokens(std::string_view text) : text_(text) {
  Lexer lexer(text);
  for (Token token; lexer.next(token);) {
    if (token.kind == Token::Kind::comment) {
      comments_.push_back(token);
    } else if (token.kind == Token::Kind::semicolon) {
      semicolons_.push_back({token.start, last_token_});
    } else {
      last_token_ = token.start;
      backslash_ = backslash_ || token.kind == Token::Kind::backslash;
    }
  }
}

void FileTokens::statement_tokens(std::size_t begin, std::size_t end,
                                  std::vector<Token>& out) const {
  out.clear();
  // The first token: usually right at `begin`, after white space and comments.
  Lexer lexer(text_, begin);
  Token first;
  bool found = false;
  while (!found && lexer.next(first) && first.start < end) {
    found = first.kind != Token::Kind::comment && first.kind != Token::Kind::semicolon;
  }
  if (!found) return;
  out.push_back(first);
  // The last token, as recorded for the `;` at `end` (or the end of the text).
  auto semicolon =
      std::lower_bound(semicolons_.begin(), semicolons_.end(), end,
                       [](const Semicolon& s, std::size_t at) { return s.offset < at; });
  const std::size_t last = semicolon != semicolons_.end() && semicolon->offset == end
                               ? semicolon->last_token
                               : last_token_;
  if (last == kNone || last < first.start) return;  // not reached for a parsed statement
  if (last != first.start) out.push_back({last, last + 1, Token::Kind::other});
  // The comments after it.
  auto comment = std::upper_bound(comments_.begin(), comments_.end(), last,
                                  [](std::size_t at, const Token& c) { return at < c.start; });
  for (; comment != comments_.end() && comment->start < end; ++comment)
    out.push_back(*comment);
}

std::vector<std::size_t> FileTokens::cuts(std::size_t parts) const {
  std::vector<std::size_t> out;
  for (std::size_t k = 1; k < parts; ++k) {
    const std::size_t target = text_.size() / parts * k;
    auto semicolon =
        std::lower_bound(semicolons_.begin(), semicolons_.end(), target,
                         [](const Semicolon& s, std::size_t at) { return s.offset < at; });
    if (semicolon == semicolons_.end()) break;
    const std::size_t cut = semicolon->offset + 1;
    if (cut >= text_.size()) break;
    if (out.empty() || cut > out.back()) out.push_back(cut);
  }
  return out;
}

}  // namespace safedb::sql
