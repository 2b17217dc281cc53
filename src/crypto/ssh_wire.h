#pragma once

// The SSH wire encoding (RFC 4251 section 5): uint32 big-endian, and
// "string" as a uint32 length followed by that many bytes.

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace safedb::crypto::wire {

// Reads fields in order; every read fails (returns false) rather than run
// past the end. done() says whether every byte was consumed.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

  bool u32(std::uint32_t& out) {
    if (remaining() < 4) return false;
    out = std::uint32_t{data_[pos_]} << 24 | std::uint32_t{data_[pos_ + 1]} << 16 |
          std::uint32_t{data_[pos_ + 2]} << 8 | std::uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  bool bytes(std::size_t count, std::span<const std::uint8_t>& out) {
    if (remaining() < count) return false;
    out = data_.subspan(pos_, count);
    pos_ += count;
    return true;
  }
  bool string(std::span<const std::uint8_t>& out) {
    std::uint32_t length = 0;
    std::size_t start = pos_;
    if (!u32(length) || !bytes(length, out)) {
      pos_ = start;
      return false;
    }
    return true;
  }
  bool string(std::string_view& out) {
    std::span<const std::uint8_t> raw;
    if (!string(raw)) return false;
    out = std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size());
    return true;
  }

  std::size_t remaining() const { return data_.size() - pos_; }
  bool done() const { return pos_ == data_.size(); }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

// Appends by resize and memcpy: vector::insert after push_back trips a false
// -Wstringop-overread in GCC 12.
inline void put_raw(std::vector<std::uint8_t>& out, const void* data, std::size_t size) {
  if (size == 0) return;
  std::size_t at = out.size();
  out.resize(at + size);
  std::memcpy(out.data() + at, data, size);
}

inline void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  const std::uint8_t bytes[4] = {
      static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
      static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
  put_raw(out, bytes, sizeof bytes);
}

inline void put_bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  put_raw(out, bytes.data(), bytes.size());
}

inline void put_bytes(std::vector<std::uint8_t>& out, std::string_view bytes) {
  put_raw(out, bytes.data(), bytes.size());
}

inline void put_string(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  put_u32(out, static_cast<std::uint32_t>(bytes.size()));
  put_bytes(out, bytes);
}

inline void put_string(std::vector<std::uint8_t>& out, std::string_view text) {
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  put_bytes(out, text);
}

inline std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace safedb::crypto::wire
