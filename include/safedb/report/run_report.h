#pragma once

#include <string>

#include "safedb/exec/guarded_run.h"
#include "safedb/report/check_report.h"

namespace safedb::report {

// `safedb run` / `safedb dry-run` results for people (text) and programs (json,
// documented in docs/cli.md).
std::string render_run_text(const exec::RunRequest& request, const exec::RunResult& result,
                            TextStyle style);
std::string render_run_json(const exec::RunRequest& request, const exec::RunResult& result);

// One progress line for a finished step, as shown while a run goes on.
std::string progress_line(const sql::Source& source, const sql::Statement& statement,
                          const exec::StepReport& step);

}  // namespace safedb::report
