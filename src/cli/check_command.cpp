#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "safedb/config/config.h"
#include "safedb/policy/policy.h"
#include "safedb/report/check_report.h"
#include "safedb/sql/analysis.h"

namespace safedb::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> files;
  std::string format = "text";
  std::string fail_on = "error";
  // Policy evaluation: which requirements the files will face.
  std::optional<std::string> env, target, policies, config;
};

// The policies in force and the target they are evaluated for, when --env
// or --target is given.
struct PolicyEvaluation {
  policy::PolicySet policies;
  exec::TargetSpec target;
  report::PolicyContext context;
};

Result<std::optional<PolicyEvaluation>> load_policies(const CheckOptions& options) {
  if (!options.env && !options.target) {
    if (options.policies || options.config)
      return Error::usage("--policies and --config need --env or --target");
    return std::optional<PolicyEvaluation>();
  }
  if (options.env && options.env->empty()) return Error::usage("--env must not be empty");
  Result<config::Config> config = config::load(options.config.value_or(""));
  if (!config) return config.error();

  exec::TargetSpec target;
  if (options.target) {
    auto it = config->targets.find(*options.target);
    if (it != config->targets.end()) {
      if (options.env && *options.env != it->second.environment)
        return Error::usage(
            fmt::format("target '{}' is in environment '{}' according to {}, not '{}'",
                        *options.target, it->second.environment, config->path, *options.env));
      target = exec::TargetSpec{it->first, it->second.dsn, it->second.environment, false};
    } else if (options.env) {
      // A target safedb.json does not know (yet): take the name and --env as given.
      target = exec::TargetSpec{*options.target, "", *options.env, false};
    } else {
      return Error::usage(fmt::format(
          "unknown target '{}' ({}); add --env to check against a target it does not know",
          *options.target,
          config->path.empty() ? "no safedb.json found" : "not in " + config->path));
    }
  } else {
    // Any target of the environment: files that name targets are not considered.
    target = exec::TargetSpec{"(any target)", "", *options.env, true};
  }

  policy::LoadOptions load_options;
  if (!config->targets.empty()) {
    load_options.targets.emplace();
    for (const auto& [name, t] : config->targets)
      (*load_options.targets)[name] = t.environment;
  }
  Result<policy::PolicySet> set =
      policy::PolicySet::load(options.policies.value_or(config->policies), load_options);
  if (!set) return set.error();
  report::PolicyContext context;
  context.folder = set->folder();
  context.digest = set->digest_hex();
  for (const policy::PolicyFile& f : set->files())
    context.files.push_back(f.name);
  context.environment = target.environment;
  if (options.target) context.target = target.name;
  return std::optional<PolicyEvaluation>(
      PolicyEvaluation{std::move(set).value(), std::move(target), std::move(context)});
}

void print_errors(const Error& error) {
  // One line per problem, each as its own error line.
  const std::string& m = error.message();
  std::size_t start = 0;
  while (start <= m.size()) {
    std::size_t end = m.find('\n', start);
    if (end == std::string::npos) end = m.size();
    print_error(Error(error.code(), m.substr(start, end - start)));
    start = end + 1;
  }
}

Result<sql::Source> load(const std::string& path) {
  if (path != "-") return sql::Source::load(path);
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  return sql::Source::from_text("<stdin>", std::move(text));
}

Result<ExitCode> run_check(const CheckOptions& options, Context& context) {
  auto format = report::format_from_string(options.format);
  if (!format)
    return Error::usage(
        fmt::format("unknown --format '{}' (text, json, sarif, github)", options.format));
  std::optional<sql::Severity> threshold;
  if (options.fail_on != "none") {
    threshold = sql::severity_from_string(options.fail_on);
    if (!threshold)
      return Error::usage(
          fmt::format("unknown --fail-on '{}' (error, warning, info, none)", options.fail_on));
  }

  Result<std::optional<PolicyEvaluation>> policies = load_policies(options);
  if (!policies) {
    print_errors(policies.error());
    return policies.error().code();
  }

  // Analyse every file before deciding, so all unreadable or unparsable files
  // are reported at once.
  // The analyses are kept until the process ends (never freed, still
  // reachable): freeing a large one piece by piece costs a few percent of a
  // check, and the process exits right after the report.
  static auto* const kept_sources = new std::vector<std::unique_ptr<sql::Source>>();
  static auto* const kept_checked = new std::vector<report::CheckedFile>();
  auto& sources = *kept_sources;
  auto& checked = *kept_checked;
  std::vector<Error> errors;
  for (const std::string& path : options.files) {
    Result<sql::Source> source = load(path);
    if (!source) {
      errors.push_back(source.error());
      continue;
    }
    sources.push_back(std::make_unique<sql::Source>(std::move(source).value()));
    Result<sql::FileAnalysis> analysis = sql::analyse(*sources.back(), {.destructions = false});
    if (!analysis) {
      errors.push_back(analysis.error());
      continue;
    }
    checked.push_back({sources.back().get(), std::move(analysis).value(), std::nullopt});
  }
  if (!errors.empty()) {
    for (std::size_t i = 0; i + 1 < errors.size(); ++i)
      print_error(errors[i]);
    return errors.back();
  }

  const report::PolicyContext* policy = nullptr;
  if (*policies) {
    const PolicyEvaluation& p = **policies;
    for (report::CheckedFile& file : checked)
      file.requirements = p.policies.evaluate(file.analysis, p.target);
    policy = &p.context;
  }

  std::string out;
  bool written = true;
  switch (*format) {
    case report::Format::text:
      out = report::render_text(checked, {context.color}, policy);
      break;
    case report::Format::json:
      written = report::write_json(checked, policy, stdout);  // streamed: large files
      break;
    case report::Format::sarif:
      out = report::render_sarif(checked, policy);
      break;
    case report::Format::github:
      out = report::render_github(checked, policy);
      break;
  }
  // A report that did not reach its reader must not pass as a clean check.
  written = written && std::fwrite(out.data(), 1, out.size(), stdout) == out.size();
  if (!written || std::fflush(stdout) != 0)
    return Error::input(
        fmt::format("cannot write the report to standard output: {}", std::strerror(errno)));
  // A statement a policy denies can never run: that fails the check too,
  // unless --fail-on none.
  const bool fail = report::fails(checked, threshold) || (threshold && report::denied(checked));
  return fail ? ExitCode::no : ExitCode::ok;
}

}  // namespace

Handler setup_check(CLI::App& sub) {
  auto options = std::make_shared<CheckOptions>();
  sub.add_option("files", options->files, "SQL files to analyse ('-' reads standard input)")
      ->required();
  sub.add_option("--format", options->format, "Output: text, json, sarif or github")
      ->capture_default_str();
  sub.add_option("--fail-on", options->fail_on,
                 "Exit 1 when a finding at or above this severity is not suppressed: error, "
                 "warning, info, none")
      ->capture_default_str();
  sub.add_option("--env", options->env,
                 "Also say what the policies require in this environment (e.g. production)");
  sub.add_option("--target", options->target,
                 "Also say what the policies require on this target (environment from "
                 "safedb.json, or --env)");
  sub.add_option("--policies", options->policies,
                 "Policies folder (default: \"policies\" of safedb.json, else ./policies)");
  sub.add_option("--config", options->config, "Configuration file (default: ./safedb.json)");
  return [options](Context& context) { return run_check(*options, context); };
}

}  // namespace safedb::cli
