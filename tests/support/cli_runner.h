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

}  // namespace safedb::test
