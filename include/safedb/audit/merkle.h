#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "safedb/crypto/hash.h"

namespace safedb::audit {

// RFC 6962 (section 2.1) Merkle tree hashing with SHA-256, over the log's
// lines (each without its newline) in order.

crypto::Digest leaf_hash(std::string_view leaf);  // SHA-256(0x00 || leaf)
crypto::Digest node_hash(const crypto::Digest& left,
                         const crypto::Digest& right);  // SHA-256(0x01 || left || right)

// The root of the tree over leaves whose leaf hashes are given, by the RFC's
// recursive definition (SHA-256 of the empty string for no leaves).
crypto::Digest merkle_root(std::span<const crypto::Digest> leaf_hashes);

// A growing tree that keeps only the roots of its complete subtrees (one per
// set bit of its size), so appending is amortised O(1) and root() is
// O(log size). Used to compute the root at every checkpoint in one pass.
class MerkleRange {
 public:
  void append(const crypto::Digest& leaf_hash);
  std::uint64_t size() const { return size_; }
  crypto::Digest root() const;

 private:
  std::vector<crypto::Digest> peaks_;  // largest subtree first
  std::uint64_t size_ = 0;
};

}  // namespace safedb::audit
