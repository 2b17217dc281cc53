#pragma once

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
Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const std::string& input = {});

}  // namespace safedb::util
