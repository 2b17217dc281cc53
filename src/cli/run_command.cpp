#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/signer.h"
#include "safedb/audit/log.h"
#include "safedb/exec/guarded_run.h"
#include "safedb/util/progress.h"
#include "safedb/report/run_report.h"

namespace safedb::cli {
namespace {

struct RunOptions {
  std::string file;
  std::optional<std::string> target, dsn, env, config, key, principal, log, witness, policies, plan,
      break_glass;
  std::vector<std::string> approvals;
  bool per_statement = false;
  bool yes = false;
  std::string format = "text";
};

// Talks to the person at the terminal: banner and confirmation on stderr,
// progress as statements finish.
class TerminalHooks : public exec::RunHooks {
 public:
  TerminalHooks(const Context& context, bool yes) : context_(context), yes_(yes) {}

  void banner(const exec::TargetSpec& target, const db::TargetIdentity& identity) override {
    std::fprintf(stderr, "safedb: target %s (%s): %s, %s\n", target.name.c_str(),
                 target.environment.c_str(), identity.describe().c_str(),
                 identity.in_recovery ? "standby" : "primary");
  }

  bool confirm(const exec::TargetSpec& target, const db::TargetIdentity& identity) override {
    // Never prompt without a terminal; --yes skips the question.
    if (yes_ || target.environment != "production" || !context_.stderr_is_tty ||
        !::isatty(STDIN_FILENO)) {
      return true;
    }
    std::fprintf(stderr, "safedb: this is production. Type the database name (%s) to go on: ",
                 identity.database.c_str());
    std::ifstream tty("/dev/tty");
    std::string answer;
    std::getline(tty, answer);
    return answer == identity.database;
  }

  void step_finished(const sql::Source& source, const sql::Statement& st,
                     const exec::StepReport& step) override {
    if (!context_.stderr_is_tty) return;
    std::string line = report::progress_line(source, st, step);
    std::fputs(line.c_str(), stderr);
  }

  void retrying(int attempt, util::Duration wait, const db::DbError& why) override {
    std::fprintf(stderr, "safedb: %s; rolled back, attempt %d in %s\n", why.message.c_str(),
                 attempt, util::format_duration(wait).c_str());
  }

 private:
  const Context& context_;
  bool yes_;
};

Result<ExitCode> run_guarded(const RunOptions& options, exec::DryRun dry_run, Context& context) {
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
  Result<audit::AuditLog> log = audit::AuditLog::open(options.log.value_or(config->audit_log),
                                                      signer->key, signer->principal);
  if (!log)
    return Error::usage(
        fmt::format("cannot open the audit log, so nothing runs: {}", log.error().message()));

  exec::RunRequest request;
  request.file = options.file;
  request.target = *target;
  request.settings = config->execution;
  request.mode =
      options.per_statement ? exec::TransactionMode::per_statement : exec::TransactionMode::single;
  request.dry_run = dry_run;
  request.actor = signer->principal;
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

  TerminalHooks hooks(context, options.yes);
  Result<exec::RunResult> result = exec::guarded_run(request, *log, hooks);
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
