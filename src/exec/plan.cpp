#include "safedb/exec/plan.h"

#include <fmt/format.h>

namespace safedb::exec {

Result<ExecutionPlan> plan_execution(const sql::FileAnalysis& analysis, TransactionMode mode) {
  ExecutionPlan plan;
  plan.mode = mode;
  std::string problems;
  auto refuse = [&](const sql::Statement& st, const std::string& why) {
    problems += fmt::format("{}{}:{}: {}", problems.empty() ? "" : "\n", analysis.path,
                            st.position.line, why);
  };
  for (const sql::Statement& st : analysis.statements) {
    if (st.kind == "PsqlMetaCommand") {
      refuse(st, "psql meta-command: safedb runs SQL statements only; inline what it does");
      continue;
    }
    if (mode == TransactionMode::single && st.transaction_control) {
      refuse(st,
             "explicit transaction control: safedb runs the file in one transaction; remove "
             "BEGIN/COMMIT/ROLLBACK or use --per-statement");
      continue;
    }
    if (mode == TransactionMode::per_statement || st.effects.has(sql::Effect::non_transactional)) {
      plan.separate.push_back(st.index);
    } else {
      plan.transactional.push_back(st.index);
    }
  }
  if (!problems.empty()) return Error::usage(problems);
  return plan;
}

}  // namespace safedb::exec
