#include "cli/guarded.h"

#include "cli/signer.h"
#include "safedb/util/progress.h"

namespace safedb::cli {

Result<std::unique_ptr<GuardedSetup>> setup_guarded_run(const RunOptions& options,
                                                        exec::DryRun dry_run) {
  if (options.format != "text" && options.format != "json") {
    return Error::usage(fmt::format("unknown --format '{}' (text, json)", options.format));
  }
  Result<config::Config> config = config::load(options.config.value_or(""));
  if (!config) return config.error();
  Result<exec::TargetSpec> target =
      exec::resolve_target(*config, options.target, options.dsn, options.env);
  if (!target) return target.error();
  Result<Signer> signer = open_signer(*config, options.key, options.principal);
  if (!signer) return signer.error();
  // The log keeps a pointer to the key: both live in the setup, on the heap.
  auto setup = std::make_unique<GuardedSetup>(GuardedSetup{*config, std::move(*signer), {}, {}});
  Result<audit::AuditLog> log = audit::AuditLog::open(options.log.value_or(config->audit_log),
                                                      setup->signer.key, setup->signer.principal);
  if (!log)
    return Error::usage(
        fmt::format("cannot open the audit log, so nothing runs: {}", log.error().message()));
  setup->log.emplace(std::move(*log));
  exec::RunRequest& request = setup->request;
  request.file = options.file;
  request.target = *target;
  request.settings = config->execution;
  request.mode =
      options.per_statement ? exec::TransactionMode::per_statement : exec::TransactionMode::single;
  request.dry_run = dry_run;
  request.actor = setup->signer.principal;
  request.witness = options.witness ? options.witness : config->witness;
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
