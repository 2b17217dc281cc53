#pragma once

#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace safedb::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the built safedb binary with `args` (each passed as one argument, no
// shell interpretation) in `cwd`, with `input` on stdin and NO_COLOR unset
// unless `env` sets it. Extra environment entries are "NAME=value".
CliResult run_safedb(const std::vector<std::string>& args, const std::string& input = {},
                     const std::vector<std::string>& env = {}, const std::string& cwd = {});

// The safedb binary running in the background, for tests that signal or
// kill it mid-run. Its output goes to files read by wait().
class BackgroundSafedb {
 public:
  BackgroundSafedb(const std::vector<std::string>& args, const std::string& cwd);
  ~BackgroundSafedb();  // kills it if still running
  BackgroundSafedb(const BackgroundSafedb&) = delete;
  BackgroundSafedb& operator=(const BackgroundSafedb&) = delete;

  int pid() const { return pid_; }
  void signal(int signo) const;
  // Waits for it to end; exit_code is 128 + signal for a killed process.
  CliResult wait();

 private:
  TempDir io_;
  int pid_ = -1;
  bool reaped_ = false;
};

}  // namespace safedb::test
