#include "backup/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <vector>

namespace safedb::backup::detail {

namespace fs = std::filesystem;

Status write_file_synced(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Error::usage(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = n < 0 ? errno : ENOSPC;
      ::close(fd);
      return Error::usage(fmt::format("cannot write {}: {}", path, std::strerror(e)));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    return Error::usage(fmt::format("cannot write {}: {}", path, std::strerror(e)));
  }
  if (::close(fd) != 0)
    return Error::usage(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  return {};
}

FolderGuard::~FolderGuard() {
  if (keep_) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

ChildProcess::ChildProcess(std::vector<std::string> argv)
    : result_(Error::usage(argv.empty() ? "no program" : argv[0] + " did not run")),
      thread_([this, argv = std::move(argv)] {
        result_ = util::run_process(argv, {}, &pid_);
        std::lock_guard<std::mutex> lock(mutex_);
        done_ = true;
        ended_.notify_all();
      }) {}

ChildProcess::~ChildProcess() {
  stop();
}

bool ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return ended_.wait_for(lock, timeout, [this] { return done_.load(); });
}

void ChildProcess::stop() {
  if (!thread_.joinable()) return;
  if (const int pid = pid_.load(); pid > 0 && !done_) ::kill(pid, SIGTERM);
  thread_.join();
}

const Result<util::ProcessResult>& ChildProcess::wait() {
  if (thread_.joinable()) thread_.join();
  return result_;
}

std::uint64_t folder_bytes(const std::string& folder) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) total += it->file_size(size_ec);
  }
  return total;
}

std::optional<std::string> program_failure(const std::string& program,
                                           const util::ProcessResult& result) {
  std::vector<std::string> errors;
  std::size_t start = 0;
  while (start < result.err.size()) {
    std::size_t end = result.err.find('\n', start);
    if (end == std::string::npos) end = result.err.size();
    std::string line = result.err.substr(start, end - start);
    start = end + 1;
    const bool error_line =
        line.find("error:") != std::string::npos || line.find("ERROR:") != std::string::npos ||
        line.find("FATAL:") != std::string::npos || line.find("PANIC:") != std::string::npos;
    const bool detail = !errors.empty() && (line.find("detail:") != std::string::npos ||
                                            line.find("DETAIL:") != std::string::npos ||
                                            line.find("HINT:") != std::string::npos);
    if ((error_line || detail) && errors.size() < 4) errors.push_back(std::move(line));
  }
  std::string said;
  for (const std::string& e : errors)
    said += (said.empty() ? "" : "; ") + e;
  if (result.signal != 0) {
    return fmt::format("{} was killed by signal {} ({}){}{}", program, result.signal,
                       ::strsignal(result.signal), said.empty() ? "" : ": ", said);
  }
  if (result.exit_code != 0) {
    if (said.empty()) {
      // No recognisable error line: show the last thing it said.
      std::string tail = result.err;
      while (!tail.empty() && tail.back() == '\n')
        tail.pop_back();
      if (const std::size_t nl = tail.rfind('\n'); nl != std::string::npos)
        tail = tail.substr(nl + 1);
      said = tail.empty() ? "no message" : tail;
    }
    return fmt::format("{} failed (exit status {}): {}", program, result.exit_code, said);
  }
  if (!said.empty()) return fmt::format("{} reported errors: {}", program, said);
  return std::nullopt;
}

}  // namespace safedb::backup::detail
