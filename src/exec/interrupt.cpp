#include "safedb/exec/interrupt.h"

#include <csignal>

#include <atomic>

namespace safedb::exec {
namespace {

std::atomic<const db::Connection*> g_connection{nullptr};
volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_old_int {};
struct sigaction g_old_term {};

extern "C" void on_signal(int signo) {
  g_signal = signo;
  // Connection::cancel() is async-signal-safe: it only sends a cancel request.
  if (const db::Connection* conn = g_connection.load()) conn->cancel();
}

}  // namespace

InterruptGuard::InterruptGuard(const db::Connection& conn) {
  g_signal = 0;
  g_connection.store(&conn);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking wait returns early
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  g_connection.store(nullptr);
}

bool InterruptGuard::interrupted() {
  return g_signal != 0;
}
int InterruptGuard::signal_number() {
  return static_cast<int>(g_signal);
}

}  // namespace safedb::exec
