#pragma once

#include <bitset>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/util/result.h"

namespace safedb::policy {

// A shell-style pattern, as policies use for object names ("public.audit_*")
// and principals ("*@dba.example.org"):
//   *        any run of characters, including none (dots and '@' too)
//   ?        exactly one character
//   [abc]    one character of the set; ranges "[a-z]"; "[!abc]" negates
// Everything else matches itself, case-sensitively; there is no escape
// character. Characters are bytes: '?' matches one byte of a UTF-8 sequence.
// Immutable and cheap to copy.
class Glob {
 public:
  // Fails on an empty pattern, an unclosed '[', an empty set "[]", or a
  // reversed range "[z-a]"; the message says which.
  static Result<Glob> parse(std::string_view pattern);

  bool matches(std::string_view text) const;
  const std::string& text() const { return text_; }
  bool has_wildcards() const;

  // True if one string matches every pattern of `globs` (an empty list is
  // satisfied by anything). Used to detect requirements no one could meet.
  static bool can_match_all(const std::vector<const Glob*>& globs);

 private:
  struct Element {
    bool any_run = false;    // '*'
    std::bitset<256> chars;  // the bytes one position accepts (unused for '*')
  };
  Glob() = default;

  std::string text_;
  std::vector<Element> elements_;
};

}  // namespace safedb::policy
