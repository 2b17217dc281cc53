#pragma once

#include <string>
#include <vector>

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

// A fresh empty directory under /tmp, removed when the returned object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace safedb::test
