#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

// Starting PostgreSQL's server programs for the test cluster (pg_cluster.h).
namespace safedb::test {

// The account the server programs run as: initdb and postgres refuse root,
// so as root they run as "postgres" (created by the postgresql package);
// otherwise as the current user.
struct ServerAccount {
  bool switch_user = false;  // true when running as root
  uid_t uid = 0;
  gid_t gid = 0;
};

// Throws std::runtime_error when running as root and there is no "postgres" account.
ServerAccount server_account();

// Starts `argv` (argv[0] an absolute path; no shell, no PATH search) as
// `account`, with stdout and stderr appended to `log_path` and stdin from
// /dev/null. With `die_with_parent`, the child receives SIGQUIT (a postmaster's
// immediate shutdown) when the calling thread ends, so that a crashed test
// run leaves no server behind. Throws std::runtime_error if it cannot fork.
pid_t spawn(const ServerAccount& account, const std::vector<std::string>& argv,
            const std::string& log_path, bool die_with_parent);

// Runs `argv` like spawn() and waits: the exit status, or 128 + signal.
int run(const ServerAccount& account, const std::vector<std::string>& argv,
        const std::string& log_path);

// The whole content of a text file, or "" if it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace safedb::test
