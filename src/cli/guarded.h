#pragma once

// Internal to the CLI: what `run`, `dry-run` and `restore` share: their
// options, the terminal hooks, and turning options into a RunRequest.

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/signer.h"
#include "safedb/audit/log.h"
#include "safedb/config/config.h"
#include "safedb/exec/guarded_run.h"
#include "safedb/report/run_report.h"

namespace safedb::cli {

struct RunOptions {
  std::string file;
  std::optional<std::string> target, dsn, env, policies, plan, break_glass;
  SigningOptions signing;
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

// Declares on `sub` the options every guarded run has: where it runs, who
// signs and where that is recorded, which policies apply, the output format,
// and, when it `executes` (run and restore, not dry-run), confirmation and
// the gate options (--yes, --plan, --approval, --break-glass).
void add_run_options(CLI::App& sub, RunOptions& options, bool executes);

// Everything a guarded run needs, read from the options and safedb.json.
// Not movable once the log is open: the log points at the signer's key.
struct GuardedSetup {
  config::Config config;
  Signer signer;
  std::optional<audit::AuditLog> log;  // open after setup_guarded_run()
  exec::RunRequest request;
};

// Loads the configuration, resolves the target, opens the signer and the
// audit log, and fills in the request (its file is options.file).
Result<std::unique_ptr<GuardedSetup>> setup_guarded_run(const RunOptions& options,
                                                        exec::DryRun dry_run);

}  // namespace safedb::cli
