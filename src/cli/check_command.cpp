#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "safedb/report/check_report.h"
#include "safedb/sql/analysis.h"

namespace safedb::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> files;
  std::string format = "text";
  std::string fail_on = "error";
};

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

  // Analyse every file before deciding, so all unreadable or unparsable files
  // are reported at once.
  std::vector<std::unique_ptr<sql::Source>> sources;
  std::vector<report::CheckedFile> checked;
  std::vector<Error> errors;
  for (const std::string& path : options.files) {
    Result<sql::Source> source = load(path);
    if (!source) {
      errors.push_back(source.error());
      continue;
    }
    sources.push_back(std::make_unique<sql::Source>(std::move(source).value()));
    Result<sql::FileAnalysis> analysis = sql::analyse(*sources.back());
    if (!analysis) {
      errors.push_back(analysis.error());
      continue;
    }
    checked.push_back({sources.back().get(), std::move(analysis).value()});
  }
  if (!errors.empty()) {
    for (std::size_t i = 0; i + 1 < errors.size(); ++i)
      print_error(errors[i]);
    return errors.back();
  }

  std::string out;
  switch (*format) {
    case report::Format::text:
      out = report::render_text(checked, {context.color});
      break;
    case report::Format::json:
      out = report::render_json(checked);
      break;
    case report::Format::sarif:
      out = report::render_sarif(checked);
      break;
    case report::Format::github:
      out = report::render_github(checked);
      break;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return report::fails(checked, threshold) ? ExitCode::no : ExitCode::ok;
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
  return [options](Context& context) { return run_check(*options, context); };
}

}  // namespace safedb::cli
