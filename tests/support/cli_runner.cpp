#include "support/cli_runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace safedb::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

namespace {

// Starts safedb with stdin from `in_path` and output to `out_path`/`err_path`.
pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::string& cwd, const std::string& in_path, const std::string& out_path,
            const std::string& err_path) {
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::unsetenv("NO_COLOR");
    for (const std::string& e : env)
      ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(SAFEDB_BINARY));
    for (const std::string& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(SAFEDB_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

int exit_status(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

BackgroundSafedb::BackgroundSafedb(const std::vector<std::string>& args, const std::string& cwd) {
  const std::string in = io_.write("stdin", "");
  pid_ = spawn(args, {}, cwd, in, io_ / "stdout", io_ / "stderr");
}

BackgroundSafedb::~BackgroundSafedb() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void BackgroundSafedb::signal(int signo) const {
  ::kill(pid_, signo);
}

CliResult BackgroundSafedb::wait() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reaped_ = true;
  return CliResult{exit_status(status), slurp(io_ / "stdout"), slurp(io_ / "stderr")};
}

CliResult run_safedb(const std::vector<std::string>& args, const std::string& input,
                     const std::vector<std::string>& env, const std::string& cwd) {
  TempDir io;
  const std::string in_path = io.write("stdin", input);
  pid_t pid = spawn(args, env, cwd, in_path, io / "stdout", io / "stderr");
  int status = 0;
  ::waitpid(pid, &status, 0);
  return CliResult{exit_status(status), slurp(io / "stdout"), slurp(io / "stderr")};
}

}  // namespace safedb::test
