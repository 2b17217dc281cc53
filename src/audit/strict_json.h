#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "safedb/util/result.h"

namespace safedb::audit {

// Parses `text` as one JSON value, refusing what a lenient parser lets through
// silently: invalid UTF-8 (overlong forms, surrogates, code points past
// U+10FFFF), raw control characters anywhere (CR, TAB and DEL included), and an
// object naming the same key twice. The error says which and where (byte offset).
Result<nlohmann::json> parse_strict_json(std::string_view text);

}  // namespace safedb::audit
