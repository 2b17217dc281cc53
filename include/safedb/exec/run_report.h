#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "safedb/db/query_result.h"

namespace safedb::exec {

enum class StepStatus {
  not_run,      // never sent (an earlier step failed, or not rehearsed in a dry-run)
  applied,      // committed (or, in a dry-run, executed and then rolled back)
  rolled_back,  // executed, then undone with the transaction
  failed,       // the statement itself failed
};
std::string_view to_string(StepStatus status);

// A lock a statement took, as seen in pg_locks for the session (dry-run only).
struct LockTaken {
  std::string relation;  // "schema.name"
  std::string mode;      // "AccessExclusiveLock", as pg_locks names it
};

struct StepReport {
  int index = 0;              // statement index in the file
  bool transactional = true;  // inside safedb's transaction
  StepStatus status = StepStatus::not_run;
  std::optional<std::int64_t> rows;  // rows affected, when the command reports a count
  std::chrono::milliseconds duration{0};
  std::vector<db::Notice> notices;
  std::optional<db::DbError> error;  // why it failed
  std::vector<LockTaken> locks;      // dry-run: locks newly held after this statement
};

// How a run or dry-run ended.
enum class Outcome {
  committed,          // everything applied
  rolled_back,        // dry-run: everything ran and was rolled back as intended
  failed,             // a statement failed; the transaction was rolled back, nothing applied
  partially_applied,  // the transaction committed, a later non-transactional step failed
  interrupted,  // SIGINT/SIGTERM: cancelled and rolled back (non-transactional steps done stay
                // done)
};
std::string_view to_string(Outcome outcome);

// A change to the catalog seen by a dry-run, e.g. {"created", "table", "public.t"}.
struct CatalogChange {
  std::string change;  // "created", "dropped" or "altered"
  std::string kind;    // "table", "index", "view", "sequence", "function", "constraint", ...
  std::string name;
};

struct RunReport {
  Outcome outcome = Outcome::failed;
  int attempts = 1;                    // tries of the transactional part (lock retries)
  std::vector<StepReport> steps;       // in execution order
  std::optional<int> failed_index;     // the statement that failed, if any
  std::vector<CatalogChange> changes;  // dry-run only
  std::chrono::milliseconds duration{0};
};

}  // namespace safedb::exec
