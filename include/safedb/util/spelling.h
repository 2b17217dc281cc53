#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace safedb::util {

enum class Case { sensitive, ignored };

// Levenshtein distance: insertions, deletions and substitutions of bytes.
std::size_t edit_distance(std::string_view a, std::string_view b,
                          Case letter_case = Case::sensitive);

// The candidate closest to `name` within two edits (a typo), or "" when none is.
template <typename Names>
std::string closest(std::string_view name, const Names& candidates,
                    Case letter_case = Case::sensitive) {
  std::string best;
  std::size_t best_distance = 3;  // more than two edits is not a typo
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(name, candidate, letter_case);
    if (d < best_distance) {
      best = std::string(candidate);
      best_distance = d;
    }
  }
  return best;
}

// " (did you mean "x"?)" for the closest candidate, or "".
template <typename Names>
std::string did_you_mean(std::string_view name, const Names& candidates) {
  const std::string best = closest(name, candidates);
  return best.empty() ? std::string() : " (did you mean \"" + best + "\"?)";
}

}  // namespace safedb::util
