#pragma once

// The POSIX TZ rule that ends a TZif file ("EST5EDT,M3.2.0,M11.1.0"), which
// gives local time after the file's last transition.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "safedb/util/result.h"

namespace safedb::policy {

struct PosixTz {
  // One end of daylight saving time in a year.
  struct Date {
    enum class Form { julian_no_leap, zero_based, month_week_day } form = Form::month_week_day;
    int day = 0;                // Jn: 1..365; n: 0..365; M: day of week 0..6 (Sunday = 0)
    int month = 0;              // M only: 1..12
    int week = 0;               // M only: 1..5 (5 = last)
    std::int32_t time = 7'200;  // seconds after local midnight; may be negative or past 24h
  };

  std::int32_t std_offset = 0;  // seconds east of UTC
  std::optional<std::int32_t> dst_offset;
  Date start, end;  // when daylight saving time starts and ends (only with dst_offset)

  struct Transition {
    std::int64_t at = 0;  // Unix seconds
    std::int32_t offset = 0;
  };
  // The transitions of calendar year `year`, in time order.
  std::vector<Transition> transitions(std::int64_t year) const;
  std::int32_t offset_at(std::int64_t t) const;
  std::optional<std::int64_t> next_transition(std::int64_t t) const;
};

// Parses a TZ string of POSIX.1-2017 with the RFC 8536 extensions (hours up
// to 167 and negative in rule times). An empty string is an error.
Result<PosixTz> parse_posix_tz(std::string_view text);

}  // namespace safedb::policy
