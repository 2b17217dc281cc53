#include "safedb/audit/merkle.h"

#include <array>
#include <bit>
#include <string>

namespace safedb::audit {

crypto::Digest leaf_hash(std::string_view leaf) {
  std::string input;
  input.reserve(leaf.size() + 1);
  input.push_back('\0');
  input.append(leaf);
  return crypto::sha256(input);
}

crypto::Digest node_hash(const crypto::Digest& left, const crypto::Digest& right) {
  std::array<std::uint8_t, 65> input;
  input[0] = 0x01;
  std::copy(left.begin(), left.end(), input.begin() + 1);
  std::copy(right.begin(), right.end(), input.begin() + 33);
  return crypto::sha256(std::span<const std::uint8_t>(input));
}

crypto::Digest merkle_root(std::span<const crypto::Digest> leaf_hashes) {
  if (leaf_hashes.empty()) return crypto::sha256(std::string_view());
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  // k: the largest power of two smaller than n.
  const std::size_t k = std::bit_floor(leaf_hashes.size() - 1);
  return node_hash(merkle_root(leaf_hashes.first(k)), merkle_root(leaf_hashes.subspan(k)));
}

void MerkleRange::append(const crypto::Digest& leaf_hash) {
  peaks_.push_back(leaf_hash);
  // Each trailing one bit of the old size is a complete subtree of the same
  // height as the one just finished: merge them.
  for (std::uint64_t s = size_; s & 1; s >>= 1) {
    crypto::Digest right = peaks_.back();
    peaks_.pop_back();
    peaks_.back() = node_hash(peaks_.back(), right);
  }
  ++size_;
}

crypto::Digest MerkleRange::root() const {
  if (peaks_.empty()) return crypto::sha256(std::string_view());
  crypto::Digest root = peaks_.back();
  for (std::size_t i = peaks_.size() - 1; i-- > 0;)
    root = node_hash(peaks_[i], root);
  return root;
}

}  // namespace safedb::audit
