#pragma once

// OpenSSH's text armour for binary blobs (private keys, SSHSIG signatures):
//   -----BEGIN <LABEL>-----
//   base64, 70 columns per line
//   -----END <LABEL>-----

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/util/result.h"

namespace safedb::crypto {

std::string armor(std::span<const std::uint8_t> blob, std::string_view label);

bool looks_armored(std::string_view text, std::string_view label);

// The blob inside `text`. White space around the armour and CRLF line ends
// are accepted; anything else outside it, a missing END line, or bad base64
// is an error naming the problem.
Result<std::vector<std::uint8_t>> dearmor(std::string_view text, std::string_view label);

}  // namespace safedb::crypto
