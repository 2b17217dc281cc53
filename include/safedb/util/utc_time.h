#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::util {

// Record times are UTC to the second, written "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339
// with a literal Z and no fraction), so they sort as text and convert to the
// YYYYMMDDHHMMSS form `ssh-keygen -Overify-time=` takes by deleting "-:TZ".

std::string format_utc(std::int64_t unix_seconds);
// Accepts exactly the form format_utc writes; the error says what is wrong.
Result<std::int64_t> parse_utc(std::string_view text);
std::int64_t now_unix();

}  // namespace safedb::util
