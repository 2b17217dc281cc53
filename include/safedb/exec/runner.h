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

// Work the transactional part does around its statements, inside the same
// transaction: pre-change snapshots. Default: nothing.
class StatementGuard {
 public:
  virtual ~StatementGuard() = default;
  // Before statement `st` runs, inside the transaction. An error fails the
  // statement (and rolls the transaction back); a lock failure (SQLSTATE
  // 55P03) is retried like the statement's own.
  virtual std::optional<db::DbError> before_statement(db::Connection& /*conn*/,
                                                      const sql::Statement& /*st*/) {
    return std::nullopt;
  }
  // After statement `st` ran without error, before the next one (or the
  // row-cap check): finish what before_statement() left running. An error
  // fails the statement (and rolls the transaction back).
  virtual std::optional<db::DbError> after_statement(db::Connection& /*conn*/,
                                                     const sql::Statement& /*st*/) {
    return std::nullopt;
  }
  // After the last statement, right before COMMIT: make what was saved
  // durable. An error rolls the transaction back.
  virtual std::optional<db::DbError> before_commit() { return std::nullopt; }
  // The transaction was rolled back (and may start over): forget what was saved.
  virtual void discard() {}
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
// `guard`, when given, runs around the transactional statements (see
// StatementGuard). Checks InterruptGuard::interrupted() between statements; an interrupted
// run rolls back and reports Outcome::interrupted.
RunReport execute(db::Connection& conn, const sql::Source& source,
                  const sql::FileAnalysis& analysis, const ExecutionPlan& plan,
                  const config::ExecutionSettings& settings, DryRun dry_run, RunObserver& observer,
                  StatementGuard* guard = nullptr);

}  // namespace safedb::exec
