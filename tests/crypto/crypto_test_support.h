#pragma once

// Helpers for the crypto tests: temporary folders, files with given modes,
// and running the real ssh-keygen.

#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "safedb/util/process.h"
#include "support/temp_dir.h"

namespace safedb::test {

inline void write_file(const std::string& path, const std::string& content, mode_t mode = 0600) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    REQUIRE(out);
    out << content;
  }
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline mode_t file_mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Runs a program that must start; returns what it did.
inline util::ProcessResult run(const std::vector<std::string>& argv,
                               const std::string& input = {}) {
  auto result = util::run_process(argv, input);
  INFO("running " << argv[0]);
  REQUIRE(result.ok());
  return std::move(result).value();
}

// Runs a program that must succeed; returns its standard output.
inline std::string run_ok(const std::vector<std::string>& argv, const std::string& input = {}) {
  util::ProcessResult result = run(argv, input);
  INFO(argv[0] << " said: " << result.err);
  REQUIRE(result.exit_code == 0);
  return result.out;
}

// `ssh-keygen -t ed25519` writes `path` and `path`.pub.
inline void ssh_keygen_ed25519(const std::string& path, const std::string& passphrase = "",
                               const std::string& comment = "test") {
  run_ok({"ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", path});
}

inline std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// Sets an environment variable for the lifetime of this object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    if (old != nullptr) old_ = old;
    had_old_ = old != nullptr;
    ::setenv(name, value.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (had_old_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_old_ = false;
};

}  // namespace safedb::test
