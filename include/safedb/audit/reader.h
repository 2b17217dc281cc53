#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::audit {

// One line of a log or witness file, as stored.
struct LogLine {
  std::size_t number = 0;    // 1-based
  std::uint64_t offset = 0;  // byte offset of its first byte
  std::string_view bytes;    // without the newline; valid while the reader lives
  bool complete = true;      // false for a last line without newline: a torn tail
};

// Reads a line-oriented file (log or witness) through a read-only mapping.
// Thread-compatible: lines may be handed to other threads while the reader lives.
class LogReader {
 public:
  // Maps `path` as it is when opened. The size is taken under a shared flock,
  // so an append in progress in another process is either wholly in or out.
  static Result<LogReader> open(const std::string& path);
  // Maps the first `size` bytes of an open file. REQUIRES: the caller holds a
  // lock that keeps those bytes from changing.
  static Result<LogReader> map(int fd, std::uint64_t size, const std::string& path);

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  // The next line, or nullopt after the last one.
  std::optional<LogLine> next();

  LogReader(LogReader&&) noexcept;
  LogReader& operator=(LogReader&&) noexcept;
  ~LogReader();

 private:
  LogReader(std::string path, const char* data, std::uint64_t size);
  std::string path_;
  const char* data_ = nullptr;
  std::uint64_t size_ = 0;
  std::uint64_t position_ = 0;
  std::size_t line_ = 0;
};

}  // namespace safedb::audit
