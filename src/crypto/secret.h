#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace safedb::crypto {

// Overwrites `size` bytes at `data` with zeros in a way the compiler cannot
// optimise away (OPENSSL_cleanse).
void wipe(void* data, std::size_t size);

// Bytes holding private key material: wiped when destroyed.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() { wipe(bytes_.data(), bytes_.size()); }

  std::vector<std::uint8_t>& bytes() { return bytes_; }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace safedb::crypto
