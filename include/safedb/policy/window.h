#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "safedb/policy/time_zone.h"

namespace safedb::policy {

// Days of the week as a bit set: bit 0 is Sunday ... bit 6 Saturday.
using DaySet = std::uint8_t;
inline constexpr DaySet kEveryDay = 0x7f;

// One recurring stretch of local time: on each listed day, from `from` to
// `to` in `zone`. When `to` <= `from` the stretch crosses midnight and ends
// the next day; the listed day is always the day on which it starts.
// Evaluated on the local clock: on a day the clock skips the start (spring
// forward) it opens as soon as local time passes it; a local time that
// occurs twice (fall back) is inside both times.
struct WindowSpan {
  DaySet days = kEveryDay;
  int from = 0;  // minutes after local midnight, 0..1439
  int to = 0;    // minutes after local midnight, 1..1440 (1440 = "24:00")
  TimeZone zone = TimeZone::utc();

  // "sat,sun 02:00–05:00 UTC", "mon-fri 22:00–04:00 America/New_York", "daily ...".
  std::string text() const;
};

// A maintenance window: open whenever any of its spans is open.
struct MaintenanceWindow {
  std::vector<WindowSpan> spans;

  std::string text() const;  // the spans' texts joined with " or "
  bool is_open(std::int64_t t) const;
};

// [begin, end) in Unix seconds.
struct Interval {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// The times in [from, to) when `window` is open, as sorted, disjoint,
// non-adjacent intervals.
std::vector<Interval> open_intervals(const MaintenanceWindow& window, std::int64_t from,
                                     std::int64_t to);
// The times in both lists. REQUIRES: both sorted and disjoint.
std::vector<Interval> intersect(const std::vector<Interval>& a, const std::vector<Interval>& b);

// "mon", "mon-fri", "fri-mon" (wrapping) -> day bits; nullopt if not a day.
std::optional<DaySet> parse_days(const std::string& item);
// "02:00" -> 120; "24:00" -> 1440 when `allow_24`; nullopt if not HH:MM.
std::optional<int> parse_clock(const std::string& text, bool allow_24);
// "YYYY-MM-DD HH:MM <zone>": instant `t` on the local clock of `zone`.
std::string format_local(std::int64_t t, const TimeZone& zone);

}  // namespace safedb::policy
