#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "sql/lexer.h"

namespace safedb::sql {

// What the analyser needs from the tokens of a whole file, from one pass of
// Lexer: its comments, whether it has `\` tokens, and where the first token
// after and the last token before each `;` start. Not for use by several
// threads at once: statement_tokens() remembers where it looked last.
class FileTokens {
 public:
  explicit FileTokens(std::string_view text);

  const std::vector<Token>& comments() const { return comments_; }
  bool has_backslash() const { return backslash_; }

  // The tokens that statement_extent() looks at for the statement in
  // [begin, end): its first token that is not a comment or `;`, its last
  // such token, and the comments after that. Empty if there is no such token.
  // REQUIRES: the text has no `\` token; begin is 0 or just past a `;`
  // token; end is the offset of a `;` token or the end of the text.
  void statement_tokens(std::size_t begin, std::size_t end, std::vector<Token>& out) const;

  // Where to cut the text into `parts` parts of about equal size: ascending
  // offsets just past `;` tokens, at most parts - 1 of them (fewer when there
  // are not enough `;`). REQUIRES: the text has no `\` token.
  std::vector<std::size_t> cuts(std::size_t parts) const;

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  struct Semicolon {
    std::size_t offset;
    std::size_t last_token;  // start of the last token before it (not a comment or `;`)
    std::size_t next_token;  // start of the first such token after it, or kNone
  };

  std::vector<Semicolon>::const_iterator semicolon_at_or_after(std::size_t offset) const;

  std::string_view text_;
  std::vector<Token> comments_;
  std::vector<Semicolon> semicolons_;
  // Where statement_tokens() found its answers last (see after()).
  mutable std::size_t semicolon_hint_ = 0;
  mutable std::size_t comment_hint_ = 0;
  std::size_t first_token_ = kNone;  // the first such token of the text
  std::size_t last_token_ = kNone;   // the last one
  bool backslash_ = false;
};

}  // namespace safedb::sql
