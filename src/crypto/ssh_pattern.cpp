// OpenSSH pattern-lists (ssh_config(5) PATTERNS), as match_pattern_list() in
// OpenSSH's match.c treats them.
#include "safedb/crypto/allowed_signers.h"

namespace safedb::crypto {
namespace {

bool matches_pattern(std::string_view text, std::string_view pattern) {
  // Iterative wildcard match with backtracking to the last '*'.
  std::size_t t = 0, p = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++t;
      ++p;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

}  // namespace

bool matches_pattern_list(const std::vector<std::string>& patterns, std::string_view name) {
  bool positive = false;
  for (const std::string& element : patterns) {
    std::string_view pattern = element;
    bool negated = pattern.starts_with('!');
    if (negated) pattern.remove_prefix(1);
    if (!matches_pattern(name, pattern)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

}  // namespace safedb::crypto
