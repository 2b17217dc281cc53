#include "snapshot/row_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace safedb::snapshot {
namespace {

// The size of the pieces written behind (see row_file.h).
constexpr std::uint64_t kPieceBytes = 4 * 1024 * 1024;

}  // namespace

Result<std::unique_ptr<RowFile>> RowFile::create(std::string path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error::input(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  return std::unique_ptr<RowFile>(new RowFile(std::move(path), fd));
}

RowFile::~RowFile() {
  ::close(fd_);
}

Status RowFile::failed(const char* what) const {
  return Error::input(fmt::format("cannot {} {}: {}", what, path_, std::strerror(errno)));
}

Status RowFile::append(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed("write");
    hash_.update(bytes.substr(0, static_cast<std::size_t>(n)));
    size_ += static_cast<std::uint64_t>(n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (size_ - started_ < kPieceBytes) return {};
  const std::uint64_t previous = started_;
  if (Status started = start_writeback(); !started) return started;
#ifdef __linux__
  // The previous piece has had a whole piece's time to reach the disk.
  // Waiting reports its write errors, which a later fsync would not report
  // again: they fail the snapshot here.
  if (previous > dropped_) {
    if (::sync_file_range(
            fd_, static_cast<off_t>(dropped_), static_cast<off_t>(previous - dropped_),
            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0)
      return failed("write");
    (void)::posix_fadvise(fd_, static_cast<off_t>(dropped_),
                          static_cast<off_t>(previous - dropped_), POSIX_FADV_DONTNEED);
    dropped_ = previous;
  }
#endif
  return {};
}

Status RowFile::start_writeback() {
  if (size_ == started_) return {};
#ifdef __linux__
  if (::sync_file_range(fd_, static_cast<off_t>(started_), static_cast<off_t>(size_ - started_),
                        SYNC_FILE_RANGE_WRITE) != 0)
    return failed("write");
#endif
  started_ = size_;
  return {};
}

Status RowFile::sync() {
  if (::fsync(fd_) != 0) return failed("sync");
  // Advice only: the rows are on the disk; this run does not read them again.
  (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED);
  dropped_ = size_;
  return {};
}

std::string RowFile::finish_sha256() {
  return crypto::to_hex(hash_.finish());
}

}  // namespace safedb::snapshot
