#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "safedb/db/connection.h"
#include "safedb/exec/interrupt.h"
#include "support/pg_cluster.h"

using safedb::db::Connection;
using safedb::exec::InterruptGuard;

namespace {

// Sends SIGINT to this process after `delay`, from another thread.
std::thread interrupt_after(std::chrono::milliseconds delay) {
  return std::thread([delay] {
    std::this_thread::sleep_for(delay);
    ::kill(::getpid(), SIGINT);
  });
}

// The handler SIGINT has now.
void (*current_handler())(int) {
  struct sigaction now {};
  sigaction(SIGINT, nullptr, &now);
  return now.sa_handler;
}

}  // namespace

TEST_CASE("an interrupt guard cancels the statement of the innermost live guard", "[pg]") {
  auto outer_conn = Connection::open(safedb::test::conninfo());
  auto inner_conn = Connection::open(safedb::test::conninfo());
  REQUIRE(outer_conn);
  REQUIRE(inner_conn);
  void (*before)(int) = current_handler();
  {
    InterruptGuard outer(*outer_conn);
    {
      // A guard that came and went inside must leave the outer one working.
      InterruptGuard inner(*inner_conn);
      CHECK(!InterruptGuard::interrupted());
    }
    std::thread signal = interrupt_after(std::chrono::milliseconds(300));
    const auto slept = outer_conn->exec("SELECT pg_sleep(60)");
    signal.join();
    CHECK(InterruptGuard::interrupted());
    CHECK(InterruptGuard::signal_number() == SIGINT);
    REQUIRE(!slept);
    REQUIRE(outer_conn->last_error());
    CHECK(outer_conn->last_error()->sqlstate == "57014");  // query_canceled

    // A nested guard created after the signal keeps it.
    InterruptGuard late(*inner_conn);
    CHECK(InterruptGuard::interrupted());
  }
  // The handler from before the outermost guard is back.
  CHECK(current_handler() == before);

  // A new outermost guard starts without the old signal.
  InterruptGuard fresh(*outer_conn);
  CHECK(!InterruptGuard::interrupted());
}
