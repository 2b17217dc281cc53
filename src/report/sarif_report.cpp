#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

#include "safedb/report/check_report.h"
#include "safedb/sql/rules.h"

namespace safedb::report {
namespace {

using nlohmann::json;

std::string_view level(sql::Severity s) {
  switch (s) {
    case sql::Severity::error:
      return "error";
    case sql::Severity::warning:
      return "warning";
    case sql::Severity::info:
      return "note";
  }
  return "error";
}

json location(const std::string& path, int line) {
  json region = {{"startLine", line}};
  return json::array(
      {{{"physicalLocation", {{"artifactLocation", {{"uri", path}}}, {"region", region}}}}});
}

// With policies: one note per file summarising what it will face, and one
// error per denied statement.
void add_policy_results(json& results, const CheckedFile& file, const PolicyContext& policy) {
  const policy::Requirements& r = *file.requirements;
  for (const policy::Denial& d : r.denials) {
    results.push_back(
        {{"ruleId", "policy-deny"},
         {"level", "error"},
         {"message",
          {{"text", fmt::format("Denied by {} rule {}: {}", d.rule.file, d.rule.rule, d.message)}}},
         {"locations", location(file.analysis.path, d.line)}});
  }
  std::string text;
  for (const std::string& line : policy::describe(r)) {
    if (!line.starts_with("refused:")) text += (text.empty() ? "" : "; ") + line;
  }
  if (text.empty()) return;
  results.push_back(
      {{"ruleId", "policy-requirements"},
       {"level", "note"},
       {"message",
        {{"text", fmt::format("In {}{}, running this file requires: {}.", policy.environment,
                              policy.target ? " (target " + *policy.target + ")" : "", text)}}},
       {"locations", location(file.analysis.path, 1)}});
}

}  // namespace

// SARIF 2.1.0: one run, the whole rule catalogue in tool.driver.rules, one
// result per finding; suppressed findings carry an inSource suppression.
std::string render_sarif(const std::vector<CheckedFile>& files, const PolicyContext* policy) {
  json rules = json::array();
  std::map<std::string_view, int> rule_index;
  for (const sql::RuleInfo& r : sql::all_rules()) {
    rule_index[r.id] = static_cast<int>(rules.size());
    rules.push_back({{"id", r.id},
                     {"name", r.id},
                     {"shortDescription", {{"text", r.summary}}},
                     {"help", {{"text", r.help}}},
                     {"defaultConfiguration", {{"level", level(r.severity)}}},
                     {"properties", {{"tags", json::array({r.group})}}}});
  }
  json results = json::array();
  for (const CheckedFile& file : files) {
    for (const sql::Finding* f : findings_of(file.analysis)) {
      json result = {
          {"ruleId", f->rule},
          {"level", level(f->severity)},
          {"message", {{"text", f->message + (f->help.empty() ? "" : " Help: " + f->help)}}},
          {"locations",
           json::array(
               {{{"physicalLocation",
                  {{"artifactLocation", {{"uri", file.analysis.path}}},
                   {"region",
                    {{"startLine", f->position.line}, {"startColumn", f->position.column}}}}}}})}};
      if (auto it = rule_index.find(f->rule); it != rule_index.end())
        result["ruleIndex"] = it->second;
      if (f->suppressed_because) {
        result["suppressions"] =
            json::array({{{"kind", "inSource"}, {"justification", *f->suppressed_because}}});
      }
      results.push_back(std::move(result));
    }
    if (policy != nullptr && file.requirements) add_policy_results(results, file, *policy);
  }
  if (policy != nullptr) {
    rules.push_back({{"id", "policy-deny"},
                     {"name", "policy-deny"},
                     {"shortDescription", {{"text", "A policy forbids this statement"}}},
                     {"defaultConfiguration", {{"level", "error"}}},
                     {"properties", {{"tags", json::array({"policy"})}}}});
    rules.push_back(
        {{"id", "policy-requirements"},
         {"name", "policy-requirements"},
         {"shortDescription", {{"text", "What the policies require before this file may run"}}},
         {"defaultConfiguration", {{"level", "note"}}},
         {"properties", {{"tags", json::array({"policy"})}}}});
  }
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool",
                                      {{"driver",
                                        {{"name", "safedb"},
                                         {"version", SAFEDB_VERSION},
                                         {"semanticVersion", SAFEDB_VERSION},
                                         {"rules", rules}}}}},
                                     {"columnKind", "unicodeCodePoints"},
                                     {"results", results}}})}};
  return doc.dump(2) + "\n";
}

}  // namespace safedb::report
