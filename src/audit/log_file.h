#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::audit {

// The durable-append mechanics shared by the log and the witness file: an
// owned descriptor, flock(2) locks, reading the last line, and appending with
// write(2) on an O_APPEND descriptor followed by fsync(2).

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int release();

 private:
  int fd_ = -1;
};

// Holds flock(2) on a descriptor until destroyed. Blocks until granted.
class FileLock {
 public:
  enum class Mode { shared, exclusive };
  static Result<FileLock> acquire(int fd, Mode mode, const std::string& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Opens `path` for reading and appending (O_RDWR, O_APPEND, O_CLOEXEC). With
// CreateMissing::yes a missing file is created (0644), and a missing parent
// directory too (one level, 0755); each creation is made durable by syncing
// the directory that holds it.
enum class CreateMissing { no, yes };
Result<UniqueFd> open_for_append(const std::string& path, CreateMissing create);

// The end of a line-oriented file as it is now.
struct Tail {
  std::uint64_t size = 0;           // bytes in the file
  std::uint64_t complete_size = 0;  // bytes up to and including the last newline
  std::string last_line;            // the last complete line without newline; empty if none
  bool torn() const { return complete_size != size; }
};
// REQUIRES: `fd` readable; the caller holds the lock if the answer must stay true.
Result<Tail> read_tail(int fd, const std::string& path, std::size_t max_line);

// Appends `bytes` with write(2) and syncs the file. `size_before` is the
// file's size before (the caller holds the exclusive lock): a partial write
// is cut back to it, so a failure leaves the file as it was.
Status append_durably(int fd, std::string_view bytes, std::uint64_t size_before,
                      const std::string& path);

// Writes a new file durably (O_EXCL: fails if it exists), then syncs its directory.
Status write_new_file(const std::string& path, std::string_view bytes);

}  // namespace safedb::audit
