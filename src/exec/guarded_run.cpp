#include "safedb/exec/guarded_run.h"

#include <fmt/format.h>

#include "exec/run_records.h"
#include "safedb/crypto/hash.h"
#include "safedb/db/connection.h"
#include "safedb/exec/interrupt.h"
#include "safedb/exec/session.h"
#include "safedb/gates/gates.h"
#include "safedb/policy/policy.h"
#include "safedb/snapshot/snapshot.h"

#include <algorithm>
#include <filesystem>

#include <ctime>

namespace safedb::exec {
namespace {

ExitCode exit_code_for(Outcome outcome) {
  switch (outcome) {
    case Outcome::committed:
    case Outcome::rolled_back:
      return ExitCode::ok;
    case Outcome::failed:
      return ExitCode::execution_failed;
    case Outcome::partially_applied:
      return ExitCode::partially_applied;
    case Outcome::interrupted:
      return ExitCode::interrupted;
  }
  return ExitCode::execution_failed;
}

// Refuses targets a run must not write to.
Status check_writable(const TargetSpec& target, const db::TargetIdentity& identity) {
  if (identity.in_recovery) {
    return Error::usage(
        fmt::format("target {} is a standby (in recovery): {}; safedb never writes to a standby",
                    target.name, identity.describe()));
  }
  return {};
}

// Opens a second session set up like the run's, for snapshots that read
// rows while their statement runs (snapshot::Taker); none when no statement
// in `statements` may be read that way.
snapshot::SessionOpener side_session(const RunRequest& request, const RunResult& result,
                                     const config::ExecutionSettings& settings,
                                     const std::vector<int>& statements) {
  if (std::none_of(statements.begin(), statements.end(), [&](int index) {
        return snapshot::may_read_alongside(
            result.analysis.statements[static_cast<std::size_t>(index)]);
      }))
    return {};
  // Runs on a thread of its own: it gets copies, not references.
  return [dsn = request.target.dsn, run_id = result.run_id, actor = request.actor,
          settings]() -> Result<db::Connection> {
    Result<db::Connection> side = db::Connection::open(dsn);
    if (!side) return side;
    if (Status s = prepare_session(*side, run_id, actor, settings); !s) return s.error();
    return side;
  };
}

// What the outcome record says of a snapshot that was taken.
nlohmann::json snapshot_json(const snapshot::Taker& taker) {
  const snapshot::Manifest& m = *taker.saved();
  nlohmann::json tables = nlohmann::json::array();
  for (const snapshot::SavedTable& t : m.tables) {
    tables.push_back({{"statement", t.statement},
                      {"table", t.digest.qualified()},
                      {"scope", t.scope},
                      {"note", t.note},
                      {"rows", t.digest.rows},
                      {"hash", t.digest.hash}});
    if (!t.via.empty()) tables.back()["via"] = t.via;
  }
  nlohmann::json out = {{"folder", taker.folder()},
                        {"manifest_sha256", taker.manifest_sha256()},
                        {"bytes", m.bytes},
                        {"tables", tables}};
  if (!m.views.empty()) {
    nlohmann::json views = nlohmann::json::array();
    for (const snapshot::SavedView& v : m.views)
      views.push_back({{"statement", v.statement}, {"view", v.name}, {"kind", v.kind}});
    out["views"] = std::move(views);
  }
  if (!m.parts.empty()) {
    nlohmann::json parts = nlohmann::json::array();
    for (const snapshot::SavedPart& p : m.parts) {
      parts.push_back({{"statement", p.statement},
                       {"relation", p.relation},
                       {"kind", p.kind},
                       {"name", p.name}});
    }
    out["parts"] = std::move(parts);
  }
  if (!m.objects.empty()) {
    nlohmann::json objects = nlohmann::json::array();
    for (const snapshot::SavedObject& o : m.objects) {
      objects.push_back({{"statement", o.statement}, {"kind", o.kind}, {"name", o.name}});
      // Where a restarted sequence stood: "next value N, increment I".
      if (o.kind == "sequence value") objects.back()["position"] = o.definition;
    }
    out["objects"] = std::move(objects);
  }
  return out;
}

}  // namespace

Result<RunResult> guarded_run(const RunRequest& request, audit::AuditLog& log, RunHooks& hooks) {
  RunResult result;
  result.run_id = new_run_id();

  // 1. Analyse: read the file once, hash its bytes, classify every statement.
  Result<sql::Source> source = sql::Source::load(request.file);
  if (!source) return source.error();
  result.source = std::make_unique<sql::Source>(std::move(source).value());
  result.sha256 = crypto::to_hex(crypto::sha256(result.source->text()));
  Result<sql::FileAnalysis> analysis = sql::analyse(*result.source);
  if (!analysis) return analysis.error();
  result.analysis = std::move(analysis).value();

  // 2. Plan: what runs in the transaction, what after it, what is refused.
  Result<ExecutionPlan> plan = plan_execution(result.analysis, request.mode);
  if (!plan) return plan.error();
  result.plan = std::move(plan).value();

  // 3. Evaluate the policies: what this file needs on this target.
  Result<policy::PolicySet> policies = policy::PolicySet::load(request.policies);
  if (!policies) return policies.error();
  const policy::Requirements requirements = policies->evaluate(result.analysis, request.target);
  result.policy_digest = policies->digest_hex();
  config::ExecutionSettings settings = request.settings;
  if (requirements.lock_timeout && *requirements.lock_timeout < settings.lock_timeout) {
    settings.lock_timeout = *requirements.lock_timeout;
  }
  if (requirements.row_cap) {
    settings.max_rows = requirements.row_cap->max_rows;
    settings.capped = requirements.row_cap->statements;
  }

  // 4. Connect and identify the target; refuse a standby.
  Result<db::Connection> conn = db::Connection::open(request.target.dsn);
  if (!conn) return conn.error();
  Result<db::TargetIdentity> identity = conn->identify();
  if (!identity)
    return Error::usage(fmt::format("cannot identify the target: {}", identity.error().message()));
  result.identity = *identity;
  hooks.banner(request.target, result.identity);
  if (Status s = check_writable(request.target, result.identity); !s) return s.error();

  // 5. Keep other safedb runs off this database from here on, so that no
  //    other run can use the same approvals between the check and the intent.
  if (Status s = acquire_run_lock(*conn, settings.advisory_lock_wait); !s) return s.error();

  // 6. Check the gates; a run that misses any requirement does not start.
  const bool dry = request.dry_run == DryRun::yes;
  if (!dry) {
    Result<crypto::AllowedSigners> signers = crypto::AllowedSigners::load(request.allowed_signers);
    gates::GateInput in;
    in.requirements = &requirements;
    in.policy_digest = result.policy_digest;
    in.file_sha256 = result.sha256;
    in.target = request.target;
    in.identity = result.identity;
    in.log_path = log.path();
    in.signers = signers ? &*signers : nullptr;
    in.executor = request.actor;
    in.mark_key = &log.key();
    in.plan_path = request.plan;
    in.approval_paths = request.approvals;
    in.break_glass_reason = request.break_glass;
    in.analysis = &result.analysis;
    in.single_transaction = request.mode == TransactionMode::single;
    in.now = std::time(nullptr);
    gates::GateResult gate = gates::check_gates(in);
    if (!gate.missing.empty()) {
      std::string message =
          fmt::format("blocked by policy: {} requirement{} not met; nothing was executed",
                      gate.missing.size(), gate.missing.size() == 1 ? "" : "s");
      for (const std::string& m : gate.missing)
        message += "\n  - " + m;
      return Error(ExitCode::blocked, message);
    }
    result.gates = gate.evidence;
  }

  // 7. Confirm with the person at the terminal.
  if (!hooks.confirm(request.target, result.identity))
    return Error::usage("not confirmed; nothing was done");

  // 8. Set the session's timeouts and name.
  if (Status s = prepare_session(*conn, result.run_id, request.actor, settings); !s)
    return s.error();

  // 9. Let the caller set up its part of the session (a restore's data).
  if (Status s = hooks.prepare(*conn, result.identity); !s) return s.error();

  // 10. Record the intent, durably, before the first statement is sent.
  if (!dry) {
    Result<audit::AppendedRecord> intent = log.append("intent", intent_payload(request, result));
    if (!intent) {
      return Error::usage(fmt::format("cannot write the audit log, so nothing was executed: {}",
                                      intent.error().message()));
    }
  }

  // 11. Execute, snapshotting what the policies ask for first, in the same
  //     transaction; cancel and roll back on SIGINT/SIGTERM.
  std::optional<snapshot::Taker> snapshots;
  if (requirements.snapshot && !dry) {
    snapshots.emplace((std::filesystem::path(request.snapshots) / result.run_id).string(),
                      result.run_id, result.identity, requirements.snapshot->statements,
                      requirements.snapshot->max_size, request.progress,
                      side_session(request, result, settings, requirements.snapshot->statements));
  }
  {
    InterruptGuard guard(*conn);
    result.report = execute(*conn, *result.source, result.analysis, result.plan, settings,
                            request.dry_run, hooks, snapshots ? &*snapshots : nullptr);
  }
  result.checks = hooks.finished(*conn, result.report);
  release_run_lock(*conn);
  result.exit_code = exit_code_for(result.report.outcome);
  if (snapshots) {
    result.snapshot_blocked = snapshots->blocked();
    if (!result.snapshot_blocked.empty()) result.exit_code = ExitCode::blocked;
    if (snapshots->saved()) result.snapshot = snapshot_json(*snapshots);
  }

  // 12. Record the outcome (or the dry-run's evidence) and seal the log.
  Result<audit::AppendedRecord> record =
      dry ? log.append("dry-run", dry_run_payload(request, result))
          : log.append("outcome", outcome_payload(result));
  // Changes applied but not recorded need attention (exit status 5).
  const ExitCode unrecorded =
      dry || result.exit_code != ExitCode::ok ? result.exit_code : ExitCode::partially_applied;
  if (!record) {
    return Error(unrecorded == ExitCode::ok ? ExitCode::usage : unrecorded,
                 fmt::format("{} but the audit log could not record it: {}",
                             dry ? "the dry-run ran"
                                 : "the run " + std::string(to_string(result.report.outcome)),
                             record.error().message()));
  }
  if (Result<audit::CheckpointWritten> sealed = log.checkpoint(request.witness); !sealed) {
    return Error(unrecorded == ExitCode::ok ? ExitCode::usage : unrecorded,
                 fmt::format("the run was recorded, but sealing the log failed: {}",
                             sealed.error().message()));
  }
  return result;
}

}  // namespace safedb::exec
