#include <nlohmann/json.hpp>

#include "safedb/report/check_report.h"

namespace safedb::report {
namespace {

using nlohmann::json;

json finding_json(const sql::Finding& f) {
  json j = {{"rule", f.rule}, {"severity", to_string(f.severity)}, {"message", f.message},
            {"help", f.help}, {"line", f.position.line},           {"column", f.position.column}};
  if (f.suppressed_because) j["suppressed"] = {{"reason", *f.suppressed_because}};
  return j;
}

}  // namespace

std::string render_json(const std::vector<CheckedFile>& files) {
  std::string grammar(sql::grammar_version());
  json doc = {
      {"version", 1}, {"grammar", grammar.substr(0, grammar.find('.'))}, {"files", json::array()}};
  for (const CheckedFile& file : files) {
    json statements = json::array();
    for (const sql::Statement& st : file.analysis.statements) {
      json effects = json::array();
      for (sql::Effect e : st.effects.list())
        effects.push_back(to_string(e));
      json findings = json::array();
      for (const sql::Finding& f : st.findings)
        findings.push_back(finding_json(f));
      statements.push_back(
          {{"index", st.index},
           {"line", st.position.line},
           {"column", st.position.column},
           {"kind", st.kind},
           {"effects", effects},
           {"objects", st.objects},
           {"lock", st.lock == sql::LockMode::none ? json(nullptr) : json(to_string(st.lock))},
           {"findings", findings}});
    }
    json file_findings = json::array();
    for (const sql::Finding& f : file.analysis.file_findings)
      file_findings.push_back(finding_json(f));
    doc["files"].push_back(
        {{"path", file.analysis.path}, {"statements", statements}, {"findings", file_findings}});
  }
  Tally t = tally(files);
  doc["summary"] = {{"statements", t.statements},
                    {"errors", t.errors},
                    {"warnings", t.warnings},
                    {"infos", t.infos},
                    {"suppressed", t.suppressed}};
  return doc.dump(2) + "\n";
}

}  // namespace safedb::report
