#include "safedb/exec/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "exec/catalog.h"
#include "safedb/exec/interrupt.h"

namespace safedb::exec {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kLockNotAvailable = "55P03";
constexpr std::string_view kQueryCanceled = "57014";

bool lock_failure(const StepReport& step) {
  return step.error && step.error->sqlstate == kLockNotAvailable;
}

// Sleeps for `wait`, returning early (false) when interrupted.
bool backoff(util::Duration wait) {
  const auto until = Clock::now() + wait;
  while (Clock::now() < until) {
    if (InterruptGuard::interrupted()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !InterruptGuard::interrupted();
}

// Runs one statement and fills in its report.
StepReport run_statement(db::Connection& conn, const sql::Source& source, const sql::Statement& st,
                         bool transactional, RunObserver& observer) {
  StepReport step;
  step.index = st.index;
  step.transactional = transactional;
  observer.step_started(st);
  const auto start = Clock::now();
  Result<db::QueryResult> r = conn.exec(st.text(source));
  step.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  step.notices = conn.take_notices();
  if (r) {
    step.status = StepStatus::applied;
    step.rows = r->affected_rows;
  } else {
    step.status = StepStatus::failed;
    step.error =
        conn.last_error().value_or(db::DbError{"", "ERROR", r.error().message(), "", "", "", 0});
  }
  return step;
}

db::DbError interruption() {
  return db::DbError{std::string(kQueryCanceled),
                     "ERROR",
                     "interrupted by signal before this statement",
                     "",
                     "",
                     "",
                     0};
}

// One attempt at the transactional part: BEGIN, every statement, then
// COMMIT, or ROLLBACK when one failed or this is a dry-run. The steps tell
// what happened; a dry-run also records the catalog changes in `changes`.
// True when a capped statement affected more rows than the policies allow.
bool over_row_cap(const StepReport& step, const config::ExecutionSettings& settings) {
  if (!settings.max_rows || !step.rows || *step.rows <= *settings.max_rows) return false;
  return std::find(settings.capped.begin(), settings.capped.end(), step.index) !=
         settings.capped.end();
}

std::vector<StepReport> transactional_attempt(
    db::Connection& conn, const sql::Source& source, const sql::FileAnalysis& analysis,
    const ExecutionPlan& plan, const config::ExecutionSettings& settings, DryRun dry_run,
    RunObserver& observer, StatementGuard* guard, std::vector<CatalogChange>& changes) {
  std::vector<StepReport> steps;
  if (plan.transactional.empty()) return steps;
  auto fail_first = [&] {
    StepReport s;
    s.index = plan.transactional.front();
    s.status = StepStatus::failed;
    s.error = conn.last_error();
    steps.push_back(s);
    return steps;
  };
  if (!conn.exec("BEGIN")) return fail_first();
  std::optional<CatalogSnapshot> before;
  if (dry_run == DryRun::yes) before = snapshot_catalog(conn);
  std::vector<LockTaken> held;
  bool failed = false;
  for (int index : plan.transactional) {
    if (failed) {
      StepReport skipped;
      skipped.index = index;
      steps.push_back(skipped);
      continue;
    }
    if (InterruptGuard::interrupted()) {
      StepReport stopped;
      stopped.index = index;
      stopped.status = StepStatus::failed;
      stopped.error = interruption();
      steps.push_back(stopped);
      failed = true;
      continue;
    }
    const sql::Statement& st = analysis.statements[static_cast<std::size_t>(index)];
    if (guard != nullptr) {
      if (std::optional<db::DbError> refused = guard->before_statement(conn, st)) {
        StepReport stopped;
        stopped.index = index;
        stopped.status = StepStatus::failed;
        stopped.error = std::move(refused);
        steps.push_back(std::move(stopped));
        failed = true;
        continue;
      }
    }
    StepReport step = run_statement(conn, source, st, true, observer);
    if (step.status == StepStatus::applied && guard != nullptr) {
      if (std::optional<db::DbError> refused = guard->after_statement(conn, st)) {
        step.status = StepStatus::failed;
        step.error = std::move(refused);
      }
    }
    if (step.status == StepStatus::applied && dry_run == DryRun::yes)
      step.locks = new_locks(conn, held);
    if (step.status == StepStatus::applied && over_row_cap(step, settings)) {
      step.status = StepStatus::failed;
      step.error =
          db::DbError{"",
                      "ERROR",
                      fmt::format("affected {} rows; the policies allow at most {} (max_rows)",
                                  *step.rows, *settings.max_rows),
                      "",
                      "the whole run is rolled back",
                      "",
                      0};
    }
    failed = step.status == StepStatus::failed;
    steps.push_back(std::move(step));
    observer.step_finished(source, st, steps.back());
  }
  if (!failed && before) {
    if (std::optional<CatalogSnapshot> after = snapshot_catalog(conn))
      changes = compare(*before, *after);
  }
  if (!failed && dry_run == DryRun::no && guard != nullptr) {
    if (std::optional<db::DbError> refused = guard->before_commit()) {
      steps.back().status = StepStatus::failed;
      steps.back().error = std::move(refused);
      failed = true;
    }
  }
  if (failed || dry_run == DryRun::yes) {
    if (guard != nullptr) guard->discard();
    (void)conn.exec("ROLLBACK");
    if (dry_run == DryRun::no) {
      for (StepReport& s : steps) {
        if (s.status == StepStatus::applied) s.status = StepStatus::rolled_back;
      }
    }
    return steps;
  }
  if (!conn.exec("COMMIT")) {
    // A deferred constraint or a serialization failure at commit: nothing applied.
    for (StepReport& s : steps)
      s.status = StepStatus::rolled_back;
    steps.back().status = StepStatus::failed;
    steps.back().error = conn.last_error();
    if (guard != nullptr) guard->discard();
  }
  return steps;
}

const StepReport* first_failure(const std::vector<StepReport>& steps) {
  for (const StepReport& s : steps) {
    if (s.status == StepStatus::failed) return &s;
  }
  return nullptr;
}

bool interrupted_by_signal(const StepReport& step) {
  return step.error && step.error->sqlstate == kQueryCanceled && InterruptGuard::interrupted();
}

bool retried_on_lock_failure(const sql::Statement& st) {
  // A failed CONCURRENTLY build leaves an invalid index: never run it twice blindly.
  return st.kind != "IndexStmt" && st.kind != "ReindexStmt";
}

}  // namespace

RunReport execute(db::Connection& conn, const sql::Source& source,
                  const sql::FileAnalysis& analysis, const ExecutionPlan& plan,
                  const config::ExecutionSettings& settings, DryRun dry_run, RunObserver& observer,
                  StatementGuard* guard) {
  const auto start = Clock::now();
  RunReport report;
  report.outcome = dry_run == DryRun::yes ? Outcome::rolled_back : Outcome::committed;
  util::Duration wait = settings.retry_backoff;

  // 1. The transactional part, started over as a whole on lock failures.
  for (int attempt = 1;; ++attempt) {
    report.attempts = attempt;
    report.changes.clear();
    report.steps = transactional_attempt(conn, source, analysis, plan, settings, dry_run, observer,
                                         guard, report.changes);
    const StepReport* failure = first_failure(report.steps);
    if (failure == nullptr || !lock_failure(*failure) || attempt > settings.lock_retries) break;
    observer.retrying(attempt + 1, wait, *failure->error);
    if (!backoff(wait)) break;
    wait *= 2;
  }
  if (const StepReport* failure = first_failure(report.steps)) {
    report.failed_index = failure->index;
    report.outcome = interrupted_by_signal(*failure) ? Outcome::interrupted : Outcome::failed;
  }
  const bool committed_something =
      !report.failed_index && dry_run == DryRun::no && !plan.transactional.empty();

  // 2. The non-transactional steps, one by one, only after a commit.
  bool stop = report.failed_index.has_value();
  for (int index : plan.separate) {
    const sql::Statement& st = analysis.statements[static_cast<std::size_t>(index)];
    StepReport step;
    step.index = index;
    step.transactional = false;
    if (stop || dry_run == DryRun::yes) {
      report.steps.push_back(step);  // not run / not rehearsed
      continue;
    }
    if (InterruptGuard::interrupted()) {
      step.status = StepStatus::failed;
      step.error = interruption();
    } else {
      util::Duration retry_wait = settings.retry_backoff;
      for (int attempt = 1;; ++attempt) {
        step = run_statement(conn, source, st, false, observer);
        if (!lock_failure(step) || !retried_on_lock_failure(st) || attempt > settings.lock_retries)
          break;
        observer.retrying(attempt + 1, retry_wait, *step.error);
        if (!backoff(retry_wait)) break;
        retry_wait *= 2;
      }
      observer.step_finished(source, st, step);
    }
    if (step.status == StepStatus::failed) {
      stop = true;
      report.failed_index = index;
      const bool anything_applied =
          committed_something ||
          std::any_of(report.steps.begin(), report.steps.end(), [](const StepReport& s) {
            return !s.transactional && s.status == StepStatus::applied;
          });
      report.outcome = interrupted_by_signal(step)
                           ? Outcome::interrupted
                           : (anything_applied ? Outcome::partially_applied : Outcome::failed);
    }
    report.steps.push_back(std::move(step));
  }
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return report;
}

std::string_view to_string(StepStatus status) {
  switch (status) {
    case StepStatus::not_run:
      return "not-run";
    case StepStatus::applied:
      return "applied";
    case StepStatus::rolled_back:
      return "rolled-back";
    case StepStatus::failed:
      return "failed";
  }
  return "failed";
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::committed:
      return "committed";
    case Outcome::rolled_back:
      return "rolled-back";
    case Outcome::failed:
      return "failed";
    case Outcome::partially_applied:
      return "partially-applied";
    case Outcome::interrupted:
      return "interrupted";
  }
  return "failed";
}

}  // namespace safedb::exec
