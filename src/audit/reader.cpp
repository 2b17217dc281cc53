#include "safedb/audit/reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "audit/log_file.h"

namespace safedb::audit {

LogReader::LogReader(std::string path, const char* data, std::uint64_t size)
    : path_(std::move(path)), data_(data), size_(size) {}

LogReader::LogReader(LogReader&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      position_(other.position_),
      line_(other.line_) {}

LogReader& LogReader::operator=(LogReader&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    position_ = other.position_;
    line_ = other.line_;
  }
  return *this;
}

LogReader::~LogReader() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

Result<LogReader> LogReader::open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0)
    return Error::input(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  struct stat st;
  {
    auto lock = FileLock::acquire(fd.get(), FileLock::Mode::shared, path);
    if (!lock) return lock.error();
    if (::fstat(fd.get(), &st) != 0) {
      return Error::input(fmt::format("cannot stat {}: {}", path, std::strerror(errno)));
    }
  }
  if (!S_ISREG(st.st_mode)) return Error::input(fmt::format("{} is not a regular file", path));
  // Appends only add bytes past this size, so the mapped prefix stays valid.
  return map(fd.get(), static_cast<std::uint64_t>(st.st_size), path);
}

Result<LogReader> LogReader::map(int fd, std::uint64_t size, const std::string& path) {
  if (size == 0) return LogReader(path, nullptr, 0);
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) {
    return Error::input(fmt::format("cannot map {}: {}", path, std::strerror(errno)));
  }
  ::madvise(data, size, MADV_SEQUENTIAL);
  return LogReader(path, static_cast<const char*>(data), size);
}

std::optional<LogLine> LogReader::next() {
  if (position_ >= size_) return std::nullopt;
  LogLine line;
  line.number = ++line_;
  line.offset = position_;
  const char* begin = data_ + position_;
  const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', size_ - position_));
  if (newline == nullptr) {
    line.bytes = std::string_view(begin, size_ - position_);
    line.complete = false;
    position_ = size_;
  } else {
    line.bytes = std::string_view(begin, static_cast<std::size_t>(newline - begin));
    position_ += line.bytes.size() + 1;
  }
  return line;
}

}  // namespace safedb::audit
