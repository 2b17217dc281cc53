#include "safedb/util/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

extern char** environ;

namespace safedb::util {
namespace {

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int* out() { return &fd_; }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

// A descriptor of at least 3, so that moving pipe ends onto 0, 1 and 2 in the
// child cannot overwrite another pipe end (when our own standard streams
// were closed, pipe2() hands out 0, 1 or 2).
int above_standard_streams(int fd) {
  if (fd > STDERR_FILENO) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  ::close(fd);
  return moved;
}

bool make_pipe(Pipe& pipe) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  *pipe.read.out() = above_standard_streams(fds[0]);
  *pipe.write.out() = above_standard_streams(fds[1]);
  return pipe.read.get() >= 0 && pipe.write.get() >= 0;
}

// Blocks SIGPIPE for this thread while we write to the child's stdin, so a
// child that exits without reading its input makes write() fail with EPIPE
// instead of killing us. A SIGPIPE raised meanwhile is consumed, unless one
// was already pending before.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_mask_);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec zero{};
        while (sigtimedwait(&pipe_set_, nullptr, &zero) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }

 private:
  sigset_t pipe_set_;
  sigset_t old_mask_;
  bool was_pending_ = false;
};

// Starts the child with the pipe ends as its standard streams, the default
// signal mask and SIGPIPE at its default action, and nothing else open.
int spawn(const std::vector<std::string>& argv, Pipe& in, Pipe& out, Pipe& err, pid_t& pid) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attributes, &empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  int rc = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

// Feeds `input` to `in` and drains `out` and `err` until both reach end of
// file, with poll() so that neither side can block the other.
void exchange(const std::string& input, Fd& in, Fd& out, Fd& err, ProcessResult& result) {
  SigpipeGuard guard;
  std::size_t written = 0;
  if (input.empty()) in.reset();
  if (in.get() >= 0) ::fcntl(in.get(), F_SETFL, ::fcntl(in.get(), F_GETFL) | O_NONBLOCK);

  char buffer[16384];
  while (in.get() >= 0 || out.get() >= 0 || err.get() >= 0) {
    pollfd fds[3];
    nfds_t count = 0;
    auto watch = [&](Fd& fd, short events) {
      if (fd.get() >= 0) fds[count++] = pollfd{fd.get(), events, 0};
    };
    watch(in, POLLOUT);
    watch(out, POLLIN);
    watch(err, POLLIN);
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.get()) {
        ssize_t n = ::write(in.get(), input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in.reset();
        continue;
      }
      Fd& source = fds[i].fd == out.get() ? out : err;
      std::string& sink = fds[i].fd == out.get() ? result.out : result.err;
      ssize_t n = ::read(source.get(), buffer, sizeof buffer);
      if (n > 0) {
        sink.append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        source.reset();
      }
    }
  }
}

}  // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const std::string& input,
                                  std::atomic<int>* child) {
  if (argv.empty() || argv[0].empty()) return Error::usage("no program given to run");
  Pipe in, out, err;
  if (!make_pipe(in) || !make_pipe(out) || !make_pipe(err)) {
    return Error::usage(fmt::format("cannot run {}: {}", argv[0], std::strerror(errno)));
  }
  pid_t pid = -1;
  int rc = spawn(argv, in, out, err, pid);
  if (rc != 0) return Error::usage(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)));
  if (child != nullptr) child->store(pid);
  in.read.reset();
  out.write.reset();
  err.write.reset();

  ProcessResult result;
  exchange(input, in.write, out.read, err.read, result);

  if (child != nullptr) {
    // Wait for the end without reaping, so that the pid cannot be reused
    // while another thread may still signal it.
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0 &&
           errno == EINTR) {
    }
    child->store(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return Error::usage(fmt::format("cannot wait for {}: {}", argv[0], std::strerror(errno)));
    }
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = -1;
    result.signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace safedb::util
