#include "audit/log_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace safedb::audit {
namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error::input(fmt::format("{} {}: {}", what, path, std::strerror(err)));
}

std::string parent_of(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

Status sync_directory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return io_error("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return io_error("cannot sync directory", dir, errno);
  return {};
}

Status write_fully(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::input(std::strerror(errno));
    }
    if (n == 0) return Error::input(std::strerror(ENOSPC));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

Result<FileLock> FileLock::acquire(int fd, Mode mode, const std::string& path) {
  const int operation = mode == Mode::exclusive ? LOCK_EX : LOCK_SH;
  while (::flock(fd, operation) != 0) {
    if (errno != EINTR) return io_error("cannot lock", path, errno);
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::flock(fd_, LOCK_UN);
}

Result<UniqueFd> open_for_append(const std::string& path, CreateMissing create) {
  constexpr int kFlags = O_RDWR | O_APPEND | O_CLOEXEC;
  UniqueFd fd(::open(path.c_str(), kFlags));
  if (fd.get() >= 0) return fd;
  if (errno != ENOENT || create == CreateMissing::no) return io_error("cannot open", path, errno);

  const std::string dir = parent_of(path);
  if (::mkdir(dir.c_str(), 0755) == 0) {
    if (Status synced = sync_directory(parent_of(dir)); !synced) return synced.error();
  } else if (errno != EEXIST) {
    return io_error("cannot create directory", dir, errno);
  }
  fd = UniqueFd(::open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0644));
  if (fd.get() < 0) {
    if (errno != EEXIST) return io_error("cannot create", path, errno);
    fd = UniqueFd(::open(path.c_str(), kFlags));  // another process created it first
    if (fd.get() < 0) return io_error("cannot open", path, errno);
    return fd;
  }
  if (Status synced = sync_directory(dir); !synced) return synced.error();
  return fd;
}

Result<Tail> read_tail(int fd, const std::string& path, std::size_t max_line) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return io_error("cannot stat", path, errno);
  Tail tail;
  tail.size = static_cast<std::uint64_t>(st.st_size);
  if (tail.size == 0) return tail;

  // Read backwards in growing chunks until the chunk holds the newline that
  // ends the last complete line and the one before it (or the file start).
  const std::uint64_t limit = tail.size < 2 * max_line + 2 ? tail.size : 2 * max_line + 2;
  std::uint64_t chunk = std::min<std::uint64_t>(tail.size, 64 * 1024);
  std::string buffer;
  for (;;) {
    buffer.resize(chunk);
    const std::uint64_t start = tail.size - chunk;
    std::size_t done = 0;
    while (done < chunk) {
      const ssize_t n =
          ::pread(fd, buffer.data() + done, chunk - done, static_cast<off_t>(start + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_error("cannot read", path, errno);
      if (n == 0) return Error::input(fmt::format("{} shrank while being read", path));
      done += static_cast<std::size_t>(n);
    }
    const std::size_t last_newline = buffer.rfind('\n');
    if (last_newline != std::string::npos) {
      tail.complete_size = start + last_newline + 1;
      const std::size_t before =
          last_newline == 0 ? std::string::npos : buffer.rfind('\n', last_newline - 1);
      if (before != std::string::npos || start == 0) {
        const std::size_t begin = before == std::string::npos ? 0 : before + 1;
        tail.last_line = buffer.substr(begin, last_newline - begin);
        return tail;
      }
    } else if (start == 0) {
      return tail;  // no newline at all: the whole file is a torn first line
    }
    if (chunk == limit) {
      return Error::input(fmt::format("{}: the last line is longer than {} bytes", path, max_line));
    }
    chunk = std::min(chunk * 4, limit);
  }
}

Status append_durably(int fd, std::string_view bytes, std::uint64_t size_before,
                      const std::string& path) {
  if (Status written = write_fully(fd, bytes); !written) {
    // Cut a partial write back so the file never keeps half a line.
    if (::ftruncate(fd, static_cast<off_t>(size_before)) != 0 || ::fsync(fd) != 0) {
      return Error::input(fmt::format(
          "cannot write to {}: {}; the partial line could not be removed either ({}), so the file "
          "now ends in a torn line",
          path, written.error().message(), std::strerror(errno)));
    }
    return Error::input(fmt::format("cannot write to {}: {}; nothing was appended", path,
                                    written.error().message()));
  }
  if (::fsync(fd) != 0) {
    return Error::input(
        fmt::format("cannot sync {}: {}; the line may or may not have reached the disk", path,
                    std::strerror(errno)));
  }
  return {};
}

Status write_new_file(const std::string& path, std::string_view bytes) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return io_error("cannot create", path, errno);
  if (Status written = write_fully(fd.get(), bytes); !written) {
    return Error::input(fmt::format("cannot write to {}: {}", path, written.error().message()));
  }
  if (::fsync(fd.get()) != 0) return io_error("cannot sync", path, errno);
  return sync_directory(parent_of(path));
}

}  // namespace safedb::audit
