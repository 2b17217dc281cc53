#include "safedb/util/duration.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>

namespace safedb::util {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};
// Longest suffix first where one is a suffix of another ("ms" before "s").
constexpr Unit kUnits[] = {
    {"ms", 1}, {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}};

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  auto bad = [&] {
    return Error::usage(fmt::format(
        "'{}' is not a duration (a whole number and ms, s, m, h or d, e.g. 30s)", text));
  };
  for (const Unit& unit : kUnits) {
    if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix)) continue;
    std::string_view digits = text.substr(0, text.size() - unit.suffix.size());
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value < 0) return bad();
    if (value > INT64_MAX / unit.millis) return bad();
    return Duration(value * unit.millis);
  }
  return bad();
}

std::string format_duration(Duration duration) {
  const std::int64_t ms = duration.count();
  if (ms == 0) return "0s";
  for (const Unit& unit : {kUnits[1], kUnits[2], kUnits[3], kUnits[4]}) {
    if (ms % unit.millis == 0) return fmt::format("{}{}", ms / unit.millis, unit.suffix);
  }
  return fmt::format("{}ms", ms);
}

}  // namespace safedb::util
