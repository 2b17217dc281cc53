#pragma once

#include "safedb/config/config.h"
#include "safedb/db/connection.h"
#include "safedb/exec/plan.h"
#include "safedb/exec/run_report.h"
#include "safedb/sql/analysis.h"

namespace safedb::exec {

enum class DryRun { no, yes };

// Told about progress, for a progress display. Default: ignores everything.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void step_started(const sql::Statement& /*statement*/) {}
  virtual void step_finished(const sql::Source& /*source*/, const sql::Statement& /*statement*/,
                             const StepReport& /*step*/) {}
  // The transactional part failed to get a lock and starts over after `wait`.
  virtual void retrying(int /*attempt*/, util::Duration /*wait*/, const db::DbError& /*why*/) {}
};

// Executes `plan` on `conn`, whose session prepare_session() set up.
//
// The transactional part runs in one transaction. When a statement cannot get
// its lock within lock_timeout (SQLSTATE 55P03), the whole transaction is
// rolled back, so that no other session waits behind locks safedb already
// holds, and started again after retry_backoff (doubled each time), at most
// lock_retries more times. Any other failure rolls back and stops. Then the
// non-transactional steps run one by one; a lock failure there is retried the
// same way, except for CREATE INDEX / REINDEX CONCURRENTLY, which leave an
// invalid index behind when they fail.
//
// With DryRun::yes the transactional part is always rolled back, the locks
// each statement took and the catalog changes are measured, and
// non-transactional statements are not run ("not rehearsed").
//
// Checks InterruptGuard::interrupted() between statements; an interrupted
// run rolls back and reports Outcome::interrupted.
RunReport execute(db::Connection& conn, const sql::Source& source,
                  const sql::FileAnalysis& analysis, const ExecutionPlan& plan,
                  const config::ExecutionSettings& settings, DryRun dry_run, RunObserver& observer);

}  // namespace safedb::exec
