#pragma once

// Process exit statuses. Scripts and CI depend on these numbers: they are a
// public contract, documented in docs/cli.md, and never renumbered.
namespace safedb {

enum class ExitCode : int {
  ok = 0,                 // success; nothing at or above --fail-on
  no = 1,                 // the answer is no: findings, tampering, failed verification
  usage = 2,              // usage, configuration, input or parse error; nothing done
  blocked = 3,            // blocked by policy or gates; nothing executed
  execution_failed = 4,   // execution failed and was rolled back; database unchanged
  partially_applied = 5,  // failed after non-transactional steps were applied
  interrupted = 130,      // interrupted (SIGINT/SIGTERM) and rolled back
};

constexpr int to_int(ExitCode code) {
  return static_cast<int>(code);
}

}  // namespace safedb
