#include "sql/file_tokens.h"

#include <algorithm>

namespace safedb::sql {

FileTokens::FileTokens(std::string_view text) : text_(text) {
  Lexer lexer(text);
  std::size_t waiting = 0;  // semicolons at the end of semicolons_ without a next token
  for (Token token; lexer.next(token);) {
    if (token.kind == Token::Kind::comment) {
      comments_.push_back(token);
    } else if (token.kind == Token::Kind::semicolon) {
      semicolons_.push_back({token.start, last_token_, kNone});
      ++waiting;
    } else {
      if (first_token_ == kNone) first_token_ = token.start;
      for (; waiting > 0; --waiting)
        semicolons_[semicolons_.size() - waiting].next_token = token.start;
      last_token_ = token.start;
      backslash_ = backslash_ || token.kind == Token::Kind::backslash;
    }
  }
}

namespace {

// The first element of `sorted` whose key(element) is greater than `offset`
// (upper_bound). Statements are looked up in file order, so the search
// starts with a few steps from the previous answer (`hint`, updated) before
// it falls back to a binary search.
template <typename T, typename Key>
typename std::vector<T>::const_iterator after(const std::vector<T>& sorted, std::size_t offset,
                                              std::size_t& hint, Key key) {
  std::size_t i = std::min(hint, sorted.size());
  if (i > 0 && key(sorted[i - 1]) > offset) i = 0;  // behind the hint: search it all
  for (int steps = 0; i < sorted.size() && key(sorted[i]) <= offset; ++i) {
    if (++steps == 8) {
      i = static_cast<std::size_t>(
          std::upper_bound(sorted.begin() + static_cast<std::ptrdiff_t>(i), sorted.end(), offset,
                           [&](std::size_t at, const T& e) { return at < key(e); }) -
          sorted.begin());
      break;
    }
  }
  hint = i;
  return sorted.begin() + static_cast<std::ptrdiff_t>(i);
}

}  // namespace

std::vector<FileTokens::Semicolon>::const_iterator FileTokens::semicolon_at_or_after(
    std::size_t offset) const {
  // The first whose offset is greater than offset - 1, for offset > 0.
  if (offset == 0) return semicolons_.begin();
  return after(semicolons_, offset - 1, semicolon_hint_,
               [](const Semicolon& s) { return s.offset; });
}

void FileTokens::statement_tokens(std::size_t begin, std::size_t end,
                                  std::vector<Token>& out) const {
  out.clear();
  // The first token, as recorded for the `;` just before `begin` (or the
  // start of the text).
  std::size_t first = first_token_;
  if (begin > 0) {
    auto before = semicolon_at_or_after(begin - 1);
    if (before == semicolons_.end() || before->offset != begin - 1) return;  // not reached
    first = before->next_token;
  }
  if (first == kNone || first >= end) return;
  out.push_back({first, first + 1, Token::Kind::other});
  // The last token, as recorded for the `;` at `end` (or the end of the text).
  auto semicolon = semicolon_at_or_after(end);
  const std::size_t last = semicolon != semicolons_.end() && semicolon->offset == end
                               ? semicolon->last_token
                               : last_token_;
  if (last == kNone || last < first) return;  // not reached for a parsed statement
  if (last != first) out.push_back({last, last + 1, Token::Kind::other});
  // The comments after it.
  auto comment = after(comments_, last, comment_hint_, [](const Token& c) { return c.start; });
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
