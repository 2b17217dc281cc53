#pragma once

#include "safedb/db/connection.h"

namespace safedb::exec {

// While alive, SIGINT and SIGTERM do not end the process: they set a flag and
// cancel the statement running on `conn` (if any), so the run can roll back
// and record the outcome as interrupted. The previous handlers come back when
// the outermost guard ends. Guards nest (on one thread): the innermost one's
// connection is cancelled, the enclosing guard's again once it ends, and a
// nested guard neither clears the flag nor touches the handlers. REQUIRES:
// `conn` outlives the guard; guards end in the reverse order of creation.
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

 private:
  const db::Connection* previous_;  // the enclosing guard's connection, or null
};

}  // namespace safedb::exec
