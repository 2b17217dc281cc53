#pragma once

// Times in allowed_signers files, as OpenSSH's parse_absolute_time() reads
// them: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, in UTC when followed by "Z"
// (or "UTC"), otherwise in the local time zone.

#include <cstdint>
#include <string>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::crypto {

Result<std::int64_t> parse_ssh_time(std::string_view text);

// "2024-01-31 12:00:00 UTC".
std::string format_utc(std::int64_t unix_seconds);

}  // namespace safedb::crypto
