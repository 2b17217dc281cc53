#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::util {

// Parses a byte size: a whole number and one of B, kB (or KB), MB, GB, TB,
// e.g. "500MB", "2GB". Units are powers of 1024, as in PostgreSQL's settings
// and pg_size_pretty. Errors say what is accepted.
Result<std::uint64_t> parse_size(std::string_view text);

// The shortest exact spelling: 2147483648 -> "2GB", 1536 -> "1536B".
std::string format_size(std::uint64_t bytes);

}  // namespace safedb::util
