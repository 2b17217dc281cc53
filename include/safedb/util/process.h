#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "safedb/util/result.h"

namespace safedb::util {

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;      // the signal that ended it, or 0
  std::string out;     // everything it wrote to stdout
  std::string err;     // everything it wrote to stderr
};

// Runs `argv[0]` (searched in PATH) with `argv`, feeding `input` on stdin and
// collecting stdout and stderr. No shell is involved. Fails only if the
// program cannot be started (naming it); a non-zero exit is a result.
// When `child` is given, the child's process id is stored there while it
// runs (0 before it starts and after it has been waited for), so that another
// thread can signal it, e.g. to stop it when the command is interrupted.
Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const std::string& input = {}, std::atomic<int>* child = nullptr);

}  // namespace safedb::util
