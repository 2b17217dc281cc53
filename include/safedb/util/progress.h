#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace safedb::util {

// A one-line progress display on a terminal: "dump  412.0 MiB / 1.2 GiB  34%
// 88.1 MiB/s". Redrawn at most ten times a second; finish() ends the line.
// A disabled Progress (the default, and whenever the stream is not a
// terminal) prints nothing, so callers report progress unconditionally.
class Progress {
 public:
  Progress() = default;
  // Draws on `stream` when `enabled`; `total` is the expected number of bytes
  // (nullopt or 0: unknown, shown without a percentage).
  Progress(std::FILE* stream, bool enabled, std::string label,
           std::optional<std::uint64_t> total = std::nullopt);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Adds `bytes` to what has been done.
  void advance(std::uint64_t bytes);
  // Sets what has been done (for work measured from outside, e.g. file sizes).
  void set(std::uint64_t done);
  // Erases the line; later output starts on a clean line. Idempotent.
  void finish();

 private:
  void draw(bool force);

  std::FILE* stream_ = nullptr;
  bool enabled_ = false;
  std::string label_;
  std::optional<std::uint64_t> total_;
  std::uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_{};
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

// Whether progress may be drawn on standard error: it is a terminal and
// SAFEDB_NO_PROGRESS is not set.
bool progress_on_stderr();

}  // namespace safedb::util
