#pragma once

#include <optional>
#include <string>

#include "safedb/config/config.h"
#include "safedb/util/result.h"

namespace safedb::exec {

// The database a command acts on, as the user named it.
struct TargetSpec {
  std::string name;         // configured name, or "(ad hoc)" for --dsn
  std::string dsn;          // libpq conninfo; "" means libpq's defaults from PG* variables
  std::string environment;  // from the configuration, or --env; "production" when unknown
  bool ad_hoc = false;
};

// Resolves --target NAME or --dsn CONNINFO [--env ENV]. Exactly one of
// `target` and `dsn` must be given. An ad-hoc target without --env counts as
// production (fail closed). --env with --target is refused (the
// configuration decides a named target's environment).
Result<TargetSpec> resolve_target(const config::Config& config,
                                  const std::optional<std::string>& target,
                                  const std::optional<std::string>& dsn,
                                  const std::optional<std::string>& env);

}  // namespace safedb::exec
