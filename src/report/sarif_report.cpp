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

}  // namespace

// SARIF 2.1.0: one run, the whole rule catalogue in tool.driver.rules, one
// result per finding; suppressed findings carry an inSource suppression.
std::string render_sarif(const std::vector<CheckedFile>& files) {
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
