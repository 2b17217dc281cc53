#pragma once

// Internal to the snapshot module: a server setting changed around one
// piece of work and then set back, so that the statements of the run that
// follow see the session as it was (an empty search_path to read names
// schema-qualified, JIT off for a query the planner cannot estimate).

#include <fmt/format.h>

#include <functional>
#include <string>

#include "safedb/db/connection.h"
#include "safedb/util/result.h"
#include "safedb/util/sql_quote.h"

namespace safedb::snapshot {

enum class SettingScope {
  // Inside the run's transaction (set_config(..., true)). After a failed
  // `run` the transaction is aborted: nothing is set back, and the
  // rollback discards the change.
  transaction,
  // For a session outside a transaction block, where a local setting would
  // not last: set back whatever `run` returned.
  session,
};

// Runs `run` with setting `name` at `value`, then sets back the value it
// had. The result is run's, or the error of changing the setting.
template <typename T>
Result<T> with_setting(db::Connection& conn, const std::string& name, const std::string& value,
                       SettingScope scope, const std::function<Result<T>()>& run) {
  const char* local = scope == SettingScope::transaction ? "true" : "false";
  Result<db::QueryResult> before =
      conn.exec(fmt::format("SELECT current_setting({0}), set_config({0}, {1}, {2})",
                            util::quote_literal(name), util::quote_literal(value), local));
  if (!before) return before.error();
  Result<T> result = run();
  if (!result && scope == SettingScope::transaction) return result;
  Result<db::QueryResult> after =
      conn.exec(fmt::format("SELECT set_config({}, {}, {})", util::quote_literal(name),
                            util::quote_literal(before->at(0, 0).value_or("")), local));
  if (!result) return result;
  if (!after) return after.error();
  return result;
}

}  // namespace safedb::snapshot
