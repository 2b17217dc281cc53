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
  sub.add_flag(
      "--per-statement", options->per_statement,
      "Send each statement on its own instead of one transaction (the file may use BEGIN/COMMIT)");
  add_run_options(sub, *options, dry_run == exec::DryRun::no);
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
