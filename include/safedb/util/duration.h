#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::util {

using Duration = std::chrono::milliseconds;

// Parses "250ms", "30s", "15m", "4h" or "7d": a whole number and one unit.
// Errors say what is accepted.
Result<Duration> parse_duration(std::string_view text);

// The shortest exact spelling: 7200000 ms -> "2h", 1500 ms -> "1500ms".
std::string format_duration(Duration duration);

}  // namespace safedb::util
