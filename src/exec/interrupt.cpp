#include "safedb/exec/interrupt.h"

#include <csignal>

#include <atomic>

namespace safedb::exec {
namespace {

std::atomic<const db::Connection*> g_connection{nullptr};
volatile std::sig_atomic_t g_signal = 0;
int g_depth = 0;  // guards alive; only the outermost installs and restores handlers
struct sigaction g_old_int {};
struct sigaction g_old_term {};

extern "C" void on_signal(int signo) {
  g_signal = signo;
  // Connection::cancel() is async-signal-safe: it only sends a cancel request.
  if (const db::Connection* conn = g_connection.load()) conn->cancel();
}

}  // namespace

InterruptGuard::InterruptGuard(const db::Connection& conn)
    : previous_(g_connection.exchange(&conn)) {
  // A nested guard keeps a signal that already arrived, and the handlers.
  if (g_depth++ > 0) return;
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking wait returns early
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
  g_connection.store(previous_);
  if (--g_depth > 0) return;
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

bool InterruptGuard::interrupted() {
  return g_signal != 0;
}
int InterruptGuard::signal_number() {
  return static_cast<int>(g_signal);
}

}  // namespace safedb::exec
