#include "cli/guarded.h"

#include "cli/signer.h"
#include "safedb/util/progress.h"

namespace safedb::cli {

void add_run_options(CLI::App& sub, RunOptions& options, bool executes) {
  sub.add_option("--target", options.target, "A target named in safedb.json");
  sub.add_option("--dsn", options.dsn, "An ad-hoc libpq connection string ('' = PG* variables)");
  sub.add_option("--env", options.env, "Environment of a --dsn target (default: production)");
  add_signing_options(sub, options.signing);
  sub.add_option("--policies", options.policies,
                 "Policy folder (default: policies from safedb.json)");
  if (executes) {
    sub.add_flag("--yes", options.yes,
                 "Do not ask for confirmation on a terminal for production targets");
    sub.add_option("--plan", options.plan, "The change request (safedb plan) that approvals sign");
    sub.add_option("--approval", options.approvals,
                   "An approval signature of the plan (repeat for each)");
    sub.add_option(
        "--break-glass", options.break_glass,
        "Emergency: lift the dry-run, backup, approval and window gates where a policy allows it; "
        "the reason is recorded");
  }
  sub.add_option("--format", options.format, "Output: text or json")->capture_default_str();
}

Result<std::unique_ptr<GuardedSetup>> setup_guarded_run(const RunOptions& options,
                                                        exec::DryRun dry_run) {
  if (options.format != "text" && options.format != "json") {
    return Error::usage(fmt::format("unknown --format '{}' (text, json)", options.format));
  }
  Result<config::Config> config = config::load(options.signing.config.value_or(""));
  if (!config) return config.error();
  Result<exec::TargetSpec> target =
      exec::resolve_target(*config, options.target, options.dsn, options.env);
  if (!target) return target.error();
  Result<Signer> signer = open_signer(*config, options.signing.key, options.signing.principal);
  if (!signer) return signer.error();
  // The log keeps a pointer to the key: both live in the setup, on the heap.
  auto setup = std::make_unique<GuardedSetup>(GuardedSetup{*config, std::move(*signer), {}, {}});
  Result<audit::AuditLog> log = open_audit_log(*config, options.signing.log, setup->signer);
  if (!log) return log.error();
  setup->log.emplace(std::move(*log));
  exec::RunRequest& request = setup->request;
  request.file = options.file;
  request.target = *target;
  request.settings = config->execution;
  request.mode =
      options.per_statement ? exec::TransactionMode::per_statement : exec::TransactionMode::single;
  request.dry_run = dry_run;
  request.actor = setup->signer.principal;
  request.witness = options.signing.witness ? options.signing.witness : config->witness;
  request.policies = options.policies.value_or(config->policies);
  request.allowed_signers = config->allowed_signers;
  request.plan = options.plan;
  request.approvals = options.approvals;
  request.break_glass = options.break_glass;
  request.snapshots = config->snapshots;
  request.progress = util::progress_on_stderr();
  if (options.break_glass && options.break_glass->empty())
    return Error::usage("--break-glass needs a reason");
  return setup;
}

}  // namespace safedb::cli
