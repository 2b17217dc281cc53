#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/guarded.h"
#include "cli/signer.h"
#include "safedb/audit/log.h"
#include "safedb/exec/guarded_run.h"
#include "safedb/report/run_report.h"
#include "safedb/util/progress.h"

namespace safedb::cli {
namespace {

Result<ExitCode> run_guarded(const RunOptions& options, exec::DryRun dry_run, Context& context) {
  Result<std::unique_ptr<GuardedSetup>> setup = setup_guarded_run(options, dry_run);
  if (!setup) return setup.error();
  exec::RunRequest& request = (*setup)->request;
  TerminalHooks hooks(context, options.yes);
  Result<exec::RunResult> result = exec::guarded_run(request, *(*setup)->log, hooks);
  if (!result) return result.error();
  const std::string out = options.format == "json"
                              ? report::render_run_json(request, *result)
                              : report::render_run_text(request, *result, {context.color});
  std::fwrite(out.data(), 1, out.size(), stdout);
  return result->exit_code;
}

Handler setup_guarded(CLI::App& sub, exec::DryRun dry_run) {
  auto options = std::make_shared<RunOptions>();
  sub.add_option("file", options->file, "The SQL file")->required();
  sub.add_option("--target", options->target, "A target named in safedb.json");
  sub.add_option("--dsn", options->dsn, "An ad-hoc libpq connection string ('' = PG* variables)");
  sub.add_option("--env", options->env, "Environment of a --dsn target (default: production)");
  sub.add_option("--config", options->config, "Configuration file (default: ./safedb.json)");
  sub.add_option("--key", options->key, "Signing key for the audit records (default: signing.key)");
  sub.add_option("--principal", options->principal,
                 "Who signs (default: signing.principal or allowed_signers)");
  sub.add_option("--log", options->log, "Audit log (default: audit.log)");
  sub.add_option("--witness", options->witness,
                 "Witness file for the closing checkpoint (default: audit.witness)");
  sub.add_flag(
      "--per-statement", options->per_statement,
      "Send each statement on its own instead of one transaction (the file may use BEGIN/COMMIT)");
  sub.add_option("--policies", options->policies,
                 "Policy folder (default: policies from safedb.json)");
  if (dry_run == exec::DryRun::no) {
    sub.add_flag("--yes", options->yes,
                 "Do not ask for confirmation on a terminal for production targets");
    sub.add_option("--plan", options->plan, "The change request (safedb plan) that approvals sign");
    sub.add_option("--approval", options->approvals,
                   "An approval signature of the plan (repeat for each)");
    sub.add_option(
        "--break-glass", options->break_glass,
        "Emergency: lift the dry-run, backup, approval and window gates where a policy allows it; "
        "the reason is recorded");
  }
  sub.add_option("--format", options->format, "Output: text or json")->capture_default_str();
  return [options, dry_run](Context& context) { return run_guarded(*options, dry_run, context); };
}

}  // namespace

Handler setup_run(CLI::App& sub) {
  return setup_guarded(sub, exec::DryRun::no);
}
Handler setup_dry_run(CLI::App& sub) {
  return setup_guarded(sub, exec::DryRun::yes);
}

}  // namespace safedb::cli
