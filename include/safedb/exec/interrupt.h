#pragma once

#include "safedb/db/connection.h"

namespace safedb::exec {

// While alive, SIGINT and SIGTERM do not end the process: they set a flag and
// cancel the statement running on `conn` (if any), so the run can roll back
// and record the outcome as interrupted. The previous handlers come back on
// destruction. One guard at a time. REQUIRES: `conn` outlives the guard.
class InterruptGuard {
 public:
  explicit InterruptGuard(const db::Connection& conn);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // True once SIGINT or SIGTERM arrived.
  static bool interrupted();
  // Which signal arrived (SIGINT or SIGTERM), 0 if none.
  static int signal_number();
};

}  // namespace safedb::exec
