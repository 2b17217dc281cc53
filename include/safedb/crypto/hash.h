#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/util/result.h"

namespace safedb::crypto {

using Digest = std::array<std::uint8_t, 32>;  // SHA-256

Digest sha256(std::string_view data);
Digest sha256(std::span<const std::uint8_t> data);

// Incremental SHA-256 for streams (files, COPY output). Not copyable.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view data);
  // REQUIRES: called once; the stream is unusable afterwards.
  Digest finish();

 private:
  void* context_;  // EVP_MD_CTX, kept opaque so OpenSSL stays inside crypto/
};

std::string to_hex(std::span<const std::uint8_t> bytes);  // lower-case
Result<std::vector<std::uint8_t>> from_hex(std::string_view hex);
std::string base64_encode(std::span<const std::uint8_t> bytes);  // standard alphabet, padded
// Standard alphabet; padding required; no white space. Error names the problem.
Result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace safedb::crypto
