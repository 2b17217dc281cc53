#include "content/copy_binary.h"

#include <fmt/format.h>

#include <cstdint>

namespace safedb::content::detail {
namespace {

constexpr std::string_view kSignature("PGCOPY\n\377\r\n\0", 11);
constexpr std::size_t kHeaderBytes = 11 + 4 + 4;  // signature, flags, extension length

// REQUIRES: at + 4 <= bytes.size() (at + 2 for read_int16).
std::int32_t read_int32(std::string_view bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
  return static_cast<std::int32_t>(v);
}

std::int16_t read_int16(std::string_view bytes, std::size_t at) {
  const auto high = static_cast<unsigned char>(bytes[at]);
  const auto low = static_cast<unsigned char>(bytes[at + 1]);
  return static_cast<std::int16_t>(high << 8 | low);
}

Error malformed(const std::string& what) {
  return {ExitCode::execution_failed, "the binary COPY output is malformed: " + what};
}

}  // namespace

Status BinaryTuples::feed(std::string_view bytes,
                          const std::function<void(std::string_view tuple)>& tuple) {
  if (state_ == State::failed) return malformed("it failed before");
  std::size_t at = 0;
  Status parsed;
  if (pending_.empty()) {
    parsed = parse(bytes, at, tuple);
    if (parsed) pending_.assign(bytes.substr(at));
  } else {
    // Only when a tuple straddles two pieces; COPY's messages never split one.
    pending_.append(bytes);
    parsed = parse(pending_, at, tuple);
    if (parsed) pending_.erase(0, at);
  }
  if (!parsed) state_ = State::failed;
  return parsed;
}

Status BinaryTuples::finish() const {
  if (state_ == State::failed) return malformed("it failed before");
  if (state_ != State::done || !pending_.empty()) return malformed("it ends before its trailer");
  return {};
}

Status BinaryTuples::parse(std::string_view bytes, std::size_t& at,
                           const std::function<void(std::string_view tuple)>& tuple) {
  if (state_ == State::header) {
    if (bytes.size() - at < kHeaderBytes) return {};
    if (bytes.substr(at, kSignature.size()) != kSignature) return malformed("no PGCOPY signature");
    // Bits 0-15 are format changes a reader must understand, bit 16 adds OIDs.
    const std::int32_t flags = read_int32(bytes, at + 11);
    if ((flags & 0x1ffff) != 0) return malformed(fmt::format("header flags {:#x}", flags));
    const std::int32_t extension = read_int32(bytes, at + 15);
    if (extension < 0) return malformed(fmt::format("header extension of {} bytes", extension));
    if (bytes.size() - at - kHeaderBytes < static_cast<std::size_t>(extension)) return {};
    at += kHeaderBytes + static_cast<std::size_t>(extension);
    state_ = State::tuples;
  }
  while (state_ == State::tuples) {
    std::size_t end = at;
    if (bytes.size() - end < 2) return {};
    const std::int16_t fields = read_int16(bytes, end);
    end += 2;
    if (fields == -1) {
      at = end;
      state_ = State::done;
      break;
    }
    if (fields < 0) return malformed(fmt::format("a tuple of {} fields", fields));
    for (std::int16_t f = 0; f < fields; ++f) {
      if (bytes.size() - end < 4) return {};
      const std::int32_t length = read_int32(bytes, end);
      end += 4;
      if (length < -1) return malformed(fmt::format("a field of {} bytes", length));
      if (length <= 0) continue;
      if (bytes.size() - end < static_cast<std::size_t>(length)) return {};
      end += static_cast<std::size_t>(length);
    }
    tuple(bytes.substr(at, end - at));
    at = end;
  }
  if (state_ == State::done && at != bytes.size()) return malformed("bytes follow its trailer");
  return {};
}

}  // namespace safedb::content::detail
