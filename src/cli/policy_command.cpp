#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "safedb/config/config.h"
#include "safedb/policy/policy.h"

namespace safedb::cli {
namespace {

struct LintOptions {
  std::optional<std::string> policies;
  std::optional<std::string> config;
};

std::string where_text(const policy::AppliesTo& a) {
  std::string out;
  for (const std::string& e : a.environments)
    out += (out.empty() ? "" : ", ") + (e == "*" ? std::string("every environment") : e);
  for (const std::string& t : a.targets)
    out += (out.empty() ? "target " : ", target ") + t;
  return out;
}

// Checks the policies folder alone and as a whole: every problem of every
// file, one per line, and exit status 2; or a summary and 0.
Result<ExitCode> run_lint(const LintOptions& options) {
  Result<config::Config> config = config::load(options.config.value_or(""));
  if (!config) return config.error();
  policy::LoadOptions load_options;
  if (!config->targets.empty()) {
    load_options.targets.emplace();
    for (const auto& [name, target] : config->targets)
      (*load_options.targets)[name] = target.environment;
  }
  const std::string folder = options.policies.value_or(config->policies);
  Result<policy::PolicySet> set = policy::PolicySet::load(folder, load_options);
  if (!set) {
    const std::string& m = set.error().message();
    std::size_t start = 0;
    int count = 0;
    for (std::size_t end; (end = m.find('\n', start)) != std::string::npos; start = end + 1) {
      print_error(Error::usage(m.substr(start, end - start)));
      ++count;
    }
    print_error(Error::usage(m.substr(start)));
    ++count;
    if (count > 1) std::fprintf(stderr, "safedb: %d problems; no policy is in force\n", count);
    return ExitCode::usage;
  }

  std::string out;
  std::size_t rules = 0;
  for (const policy::PolicyFile& f : set->files())
    rules += f.rules.size();
  out += fmt::format("{}: {} file{}, {} rule{}, sha256 {}\n", folder, set->files().size(),
                     set->files().size() == 1 ? "" : "s", rules, rules == 1 ? "" : "s",
                     set->digest_hex());
  for (const policy::PolicyFile& f : set->files()) {
    std::string glass;
    if (f.break_glass && f.break_glass->allowed) {
      std::string who;
      for (const policy::Glob& g : f.break_glass->principals)
        who += (who.empty() ? "" : " or ") + g.text();
      glass = ", break-glass for " + who;
    } else if (f.break_glass) {
      glass = ", break-glass forbidden";
    }
    out += fmt::format("  {}: {}; {} rule{}{}\n", f.name, where_text(f.applies_to), f.rules.size(),
                       f.rules.size() == 1 ? "" : "s", glass);
  }
  if (set->files().empty()) out += "  no policy files: nothing is required anywhere\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return ExitCode::ok;
}

}  // namespace

Handler setup_policy(CLI::App& sub) {
  sub.require_subcommand(1);
  CLI::App* lint = sub.add_subcommand(
      "lint", "Check every policy file alone and together; exit 2 listing every problem");
  auto options = std::make_shared<LintOptions>();
  lint->add_option("--policies", options->policies,
                   "Policies folder (default: \"policies\" of safedb.json, else ./policies)");
  lint->add_option("--config", options->config, "Configuration file (default: ./safedb.json)");
  return [lint, options](Context&) -> Result<ExitCode> {
    if (lint->parsed()) return run_lint(*options);
    return Error::usage("policy: name a subcommand (lint)");
  };
}

}  // namespace safedb::cli
