#include "safedb/util/size.h"

#include <fmt/format.h>

#include <charconv>

namespace safedb::util {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t bytes;
};
// Two-letter suffixes before "B", which ends all of them.
constexpr Unit kUnits[] = {{"TB", 1ull << 40}, {"GB", 1ull << 30}, {"MB", 1ull << 20},
                           {"kB", 1ull << 10}, {"KB", 1ull << 10}, {"B", 1}};

}  // namespace

Result<std::uint64_t> parse_size(std::string_view text) {
  auto bad = [&] {
    return Error::usage(fmt::format(
        "'{}' is not a size (a whole number and B, kB, MB, GB or TB, e.g. 500MB)", text));
  };
  for (const Unit& unit : kUnits) {
    if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix)) continue;
    std::string_view digits = text.substr(0, text.size() - unit.suffix.size());
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()) return bad();
    if (value > UINT64_MAX / unit.bytes) return bad();
    return value * unit.bytes;
  }
  return bad();
}

std::string format_size(std::uint64_t bytes) {
  if (bytes == 0) return "0B";
  for (const Unit& unit : {kUnits[0], kUnits[1], kUnits[2], kUnits[3]}) {
    if (bytes % unit.bytes == 0) return fmt::format("{}{}", bytes / unit.bytes, unit.suffix);
  }
  return fmt::format("{}B", bytes);
}

}  // namespace safedb::util
