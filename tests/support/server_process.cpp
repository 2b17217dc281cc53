#include "support/server_process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace safedb::test {

ServerAccount server_account() {
  ServerAccount account;
  if (::geteuid() != 0) return account;
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) {
    throw std::runtime_error(
        "running as root, but there is no \"postgres\" account to run initdb and postgres as "
        "(they refuse root); install the postgresql package or run the tests as another user");
  }
  account.switch_user = true;
  account.uid = pw->pw_uid;
  account.gid = pw->pw_gid;
  return account;
}

pid_t spawn(const ServerAccount& account, const std::vector<std::string>& argv,
            const std::string& log_path, bool die_with_parent) {
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls are allowed in a multi-threaded process.
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot fork: ") + std::strerror(errno));
  if (pid > 0) return pid;

  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log < 0 || null < 0) ::_exit(126);
  if (account.switch_user) {
    if (::fchown(log, account.uid, account.gid) != 0) ::_exit(126);
    if (::setgroups(0, nullptr) != 0 || ::setgid(account.gid) != 0 || ::setuid(account.uid) != 0) {
      ::_exit(126);
    }
  }
  // After the user switch: changing credentials clears the parent-death signal.
  if (die_with_parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0) ::_exit(126);
    if (::getppid() != parent) ::_exit(126);  // the parent already died
  }
  ::dup2(null, STDIN_FILENO);
  ::dup2(log, STDOUT_FILENO);
  ::dup2(log, STDERR_FILENO);
  ::execv(args[0], args.data());
  ::_exit(127);
}

int run(const ServerAccount& account, const std::vector<std::string>& argv,
        const std::string& log_path) {
  const pid_t pid = spawn(account, argv, log_path, /*die_with_parent=*/false);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace safedb::test
