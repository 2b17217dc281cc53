#include "safedb/exec/target.h"

#include <fmt/format.h>

#include "safedb/db/conninfo.h"

namespace safedb::exec {

Result<TargetSpec> resolve_target(const config::Config& config,
                                  const std::optional<std::string>& target,
                                  const std::optional<std::string>& dsn,
                                  const std::optional<std::string>& env) {
  if (target && dsn) return Error::usage("give either --target or --dsn, not both");
  if (!target && !dsn)
    return Error::usage("name the database: --target NAME (from safedb.json) or --dsn CONNINFO");
  if (target) {
    if (env)
      return Error::usage(
          "--env applies only to --dsn; a configured target's environment comes from safedb.json");
    auto it = config.targets.find(*target);
    if (it == config.targets.end()) {
      std::string known;
      for (const auto& [name, t] : config.targets)
        known += (known.empty() ? "" : ", ") + name;
      return Error::usage(fmt::format(
          "unknown target '{}' ({})", *target,
          known.empty()
              ? (config.path.empty() ? "no safedb.json found" : "none configured in " + config.path)
              : "configured: " + known));
    }
    return TargetSpec{it->second.name, it->second.dsn, it->second.environment, false};
  }
  Result<db::ConninfoSummary> info = db::inspect_conninfo(*dsn);
  if (!info) return Error::usage(fmt::format("--dsn: {}", info.error().message()));
  if (env && env->empty()) return Error::usage("--env must not be empty");
  return TargetSpec{"(ad hoc)", *dsn, env ? *env : "production", true};
}

}  // namespace safedb::exec
