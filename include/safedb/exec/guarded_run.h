#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "safedb/audit/log.h"
#include "safedb/config/config.h"
#include "safedb/db/target_identity.h"
#include "safedb/exec/plan.h"
#include "safedb/exec/run_report.h"
#include "safedb/exec/runner.h"
#include "safedb/exec/target.h"
#include "safedb/sql/analysis.h"

namespace safedb::exec {

// What `safedb run` and `safedb dry-run` are asked to do.
struct RunRequest {
  std::string file;
  TargetSpec target;
  config::ExecutionSettings settings;
  TransactionMode mode = TransactionMode::single;
  DryRun dry_run = DryRun::no;
  std::string actor;                   // the signer's principal, for the session's application_name
  std::optional<std::string> witness;  // where the closing checkpoint is also appended
  std::string policies;                // the policy folder (must exist; may be empty)
  std::string allowed_signers;         // trust for evidence in the log and for approvals
  std::optional<std::string> plan;     // PLAN.json, for approval gates
  std::vector<std::string> approvals;  // approval signature files
  std::optional<std::string> break_glass;  // the reason, when breaking glass
  std::string snapshots;                   // the snapshots folder; <run-id>/ is made in it
  bool progress = false;                   // draw progress on stderr (a terminal)
};

// How a guarded run talks to the person running it. Defaults: no banner,
// always confirmed.
class RunHooks : public RunObserver {
 public:
  // After connecting, before anything changes: which database this is.
  virtual void banner(const TargetSpec& /*target*/, const db::TargetIdentity& /*identity*/) {}
  // May the run go on? (A terminal asks a person to type the database name.)
  virtual bool confirm(const TargetSpec& /*target*/, const db::TargetIdentity& /*identity*/) {
    return true;
  }
  // After the session is prepared, before the intent is recorded: last
  // checks and session set-up of the caller (a restore loads its snapshot
  // into temporary tables). An error stops the run; nothing was changed.
  virtual Status prepare(db::Connection& /*conn*/, const db::TargetIdentity& /*identity*/) {
    return {};
  }
  // After the statements ran and before the outcome is recorded, on the
  // same session (a restore compares what it restored with its snapshot).
  // What it returns goes into the outcome record as "checks".
  virtual nlohmann::json finished(db::Connection& /*conn*/, const RunReport& /*report*/) {
    return nullptr;
  }
};

struct RunResult {
  std::string run_id;
  std::string sha256;  // hex SHA-256 of the file's bytes
  std::unique_ptr<sql::Source> source;
  sql::FileAnalysis analysis;
  ExecutionPlan plan;
  db::TargetIdentity identity;
  std::string policy_digest;
  nlohmann::json gates = nlohmann::json::object();  // evidence that satisfied the gates
  RunReport report;
  ExitCode exit_code = ExitCode::ok;
  // The pre-change snapshot, when the policies asked for one and the run
  // committed: its folder, manifest digest and what it holds.
  nlohmann::json snapshot;
  std::string snapshot_blocked;  // why a snapshot refused the run (exit status 3)
  nlohmann::json checks;         // what RunHooks::finished() returned
};

// A guarded run, step by step: analyse, plan, evaluate the policies, connect
// and identify, take the run lock, check the gates under it (a run blocked by
// them fails with exit status 3 listing every unmet requirement; dry-runs skip
// them), confirm, prepare the session, record the intent, execute, record the
// outcome and seal the log. Fails (returns an Error) only before anything was
// executed; once the intent is recorded, the result says what happened.
// REQUIRES: `log` is open with the key that signs this run's records.
Result<RunResult> guarded_run(const RunRequest& request, audit::AuditLog& log, RunHooks& hooks);

}  // namespace safedb::exec
