#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "safedb/util/process.h"
#include "safedb/util/result.h"

namespace safedb::backup::detail {

// Writes `bytes` to a new file at `path` and fsyncs it; the error names the
// file and the reason (e.g. "No space left on device").
Status write_file_synced(const std::string& path, std::string_view bytes);

// A folder removed with everything in it when the scope ends, unless keep()
// was called: how a failed command leaves nothing half-written behind.
class FolderGuard {
 public:
  explicit FolderGuard(std::string path) : path_(std::move(path)) {}
  ~FolderGuard();
  FolderGuard(const FolderGuard&) = delete;
  FolderGuard& operator=(const FolderGuard&) = delete;
  void keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

// A program (pg_dump, pg_restore) running in its own thread, so that the
// caller can do other work, show progress and stop it when interrupted.
class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();  // stops it if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool done() const { return done_; }
  // Waits until it ends or `timeout` passes, whichever is first; whether it ended.
  bool wait_for(std::chrono::milliseconds timeout);
  // Sends SIGTERM if it still runs and waits for it to end.
  void stop();
  // Waits for it to end; the result of util::run_process.
  const Result<util::ProcessResult>& wait();

 private:
  std::atomic<int> pid_{0};
  std::atomic<bool> done_{false};
  std::mutex mutex_;  // with ended_: wakes wait_for() when the program ends
  std::condition_variable ended_;
  Result<util::ProcessResult> result_;
  std::thread thread_;
};

// Total size of the regular files under `folder` (0 when it is missing).
std::uint64_t folder_bytes(const std::string& folder);

// Whether a PostgreSQL client program failed: a non-zero exit status, a
// signal, or an error line on stderr. Returns the message to show: what
// `program` said (its error lines, at most a few), or why it stopped.
std::optional<std::string> program_failure(const std::string& program,
                                           const util::ProcessResult& result);

}  // namespace safedb::backup::detail
