#pragma once

#include <vector>

#include "safedb/sql/analysis.h"
#include "safedb/util/result.h"

namespace safedb::exec {

// How the statements of a file are sent.
enum class TransactionMode {
  single,         // default: one transaction; non-transactional statements after it commits
  per_statement,  // each statement on its own, in file order (the file may BEGIN/COMMIT itself)
};

// Which statements run where, in the order they run.
struct ExecutionPlan {
  TransactionMode mode = TransactionMode::single;
  std::vector<int> transactional;  // statement indexes run inside safedb's transaction
  std::vector<int> separate;  // statement indexes run one by one afterwards (or all, per_statement)
};

// Decides how `analysis` runs. Refuses, listing every offending statement as
// "file:line: ..." (exit status usage), what safedb cannot honour: psql
// meta-commands always, and explicit transaction control (BEGIN, COMMIT,
// ROLLBACK, two-phase commands) in single mode.
Result<ExecutionPlan> plan_execution(const sql::FileAnalysis& analysis, TransactionMode mode);

}  // namespace safedb::exec
