#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace safedb::crypto {

// SHA-512, for SSHSIG (which hashes messages with sha512 by default).
std::array<std::uint8_t, 64> sha512(std::span<const std::uint8_t> data);

}  // namespace safedb::crypto
