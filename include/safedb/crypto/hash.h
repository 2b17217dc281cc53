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

namespace safedb::crypto {

// An order-independent hash of a multiset of byte strings (the rows of a
// table as COPY prints them): the sum, modulo 2^256, of the SHA-256 of each
// element, read as a little-endian 256-bit number. Unlike an XOR of hashes,
// a duplicated element changes the sum, so duplicate rows never cancel out;
// the order elements arrive in does not matter, so two scans of a table in
// different physical orders agree. The element count is kept alongside.
//
// Finding two different multisets with one sum takes far less work than a
// SHA-256 collision (generalized-birthday attacks), so this detects accidental
// and careless change, not a forger: the audit log's signatures protect the
// recorded sums themselves.
class MultisetHash {
 public:
  MultisetHash();
  ~MultisetHash();
  MultisetHash(const MultisetHash&) = delete;
  MultisetHash& operator=(const MultisetHash&) = delete;

  void add(std::string_view element);
  // Adds every element of `other` (as if each had been add()ed here).
  void merge(const MultisetHash& other);

  std::int64_t count() const { return count_; }
  // 64 lower-case hex digits, most significant byte first.
  std::string hex() const;

 private:
  std::array<std::uint64_t, 4> sum_{};  // little-endian limbs
  std::int64_t count_ = 0;
  void* context_;  // EVP_MD_CTX reused for every element
};

}  // namespace safedb::crypto
