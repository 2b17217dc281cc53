#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "safedb/report/check_report.h"
#include "safedb/util/size.h"

namespace safedb::report {
namespace {

using nlohmann::json;

json finding_json(const sql::Finding& f) {
  json j = {{"rule", f.rule}, {"severity", to_string(f.severity)}, {"message", f.message},
            {"help", f.help}, {"line", f.position.line},           {"column", f.position.column}};
  if (f.suppressed_because) j["suppressed"] = {{"reason", *f.suppressed_because}};
  return j;
}

json patterns_json(const std::vector<std::vector<policy::Glob>>& lists) {
  json out = json::array();
  for (const auto& list : lists) {
    json one = json::array();
    for (const policy::Glob& g : list)
      one.push_back(g.text());
    out.push_back(one);
  }
  return out;
}

json requirements_json(const policy::Requirements& r) {
  json rules = json::array();
  for (const policy::AppliedRule& a : r.applied)
    rules.push_back({{"file", a.rule.file}, {"rule", a.rule.rule}, {"statements", a.statements}});
  json denials = json::array();
  for (const policy::Denial& d : r.denials) {
    denials.push_back({{"file", d.rule.file},
                       {"rule", d.rule.rule},
                       {"statement", d.statement},
                       {"line", d.line},
                       {"message", d.message}});
  }
  json dry_runs = json::array();
  for (const policy::DryRunRequirement& d : r.dry_runs) {
    dry_runs.push_back({{"max_age", util::format_duration(d.max_age)},
                        {"on", d.on_target ? json(*d.on_target) : json(nullptr)}});
  }
  json windows = json::array();
  for (const policy::MaintenanceWindow& w : r.windows) {
    json spans = json::array();
    for (const policy::WindowSpan& s : w.spans) {
      spans.push_back({{"text", s.text()},
                       {"from", fmt::format("{:02}:{:02}", s.from / 60, s.from % 60)},
                       {"to", fmt::format("{:02}:{:02}", s.to / 60, s.to % 60)},
                       {"tz", s.zone.name()}});
    }
    windows.push_back({{"text", w.text()}, {"spans", spans}});
  }
  json out = {{"environment", r.environment},
              {"target", r.target},
              {"policy_files", r.files},
              {"rules", rules},
              {"denials", denials},
              {"dry_runs", dry_runs},
              {"backup", nullptr},
              {"approvals", nullptr},
              {"snapshot", nullptr},
              {"lock_timeout", nullptr},
              {"max_rows", nullptr},
              {"windows", windows},
              {"break_glass", nullptr},
              {"summary", policy::describe(r)}};
  if (r.backup) {
    out["backup"] = {{"max_age", util::format_duration(r.backup->max_age)},
                     {"verified", r.backup->verified}};
  }
  if (r.approvals) {
    json exclude = json::array();
    if (r.approvals->exclude_requester) exclude.push_back("requester");
    if (r.approvals->exclude_executor) exclude.push_back("executor");
    out["approvals"] = {{"min", r.approvals->min},
                        {"principals", patterns_json(r.approvals->principal_patterns)},
                        {"exclude", exclude}};
  }
  if (r.snapshot) {
    out["snapshot"] = {
        {"max_size",
         r.snapshot->max_size ? json(util::format_size(*r.snapshot->max_size)) : json(nullptr)},
        {"statements", r.snapshot->statements}};
  }
  if (r.lock_timeout) out["lock_timeout"] = util::format_duration(*r.lock_timeout);
  if (r.row_cap)
    out["max_rows"] = {{"limit", r.row_cap->max_rows}, {"statements", r.row_cap->statements}};
  if (r.break_glass)
    out["break_glass"] = {{"principals", patterns_json(r.break_glass->principal_patterns)}};
  return out;
}

}  // namespace

std::string render_json(const std::vector<CheckedFile>& files, const PolicyContext* policy) {
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
    json entry = {
        {"path", file.analysis.path}, {"statements", statements}, {"findings", file_findings}};
    if (policy != nullptr && file.requirements)
      entry["requirements"] = requirements_json(*file.requirements);
    doc["files"].push_back(std::move(entry));
  }
  Tally t = tally(files);
  doc["summary"] = {{"statements", t.statements},
                    {"errors", t.errors},
                    {"warnings", t.warnings},
                    {"infos", t.infos},
                    {"suppressed", t.suppressed}};
  if (policy != nullptr) {
    doc["policies"] = {{"folder", policy->folder},
                       {"digest", policy->digest},
                       {"files", policy->files},
                       {"environment", policy->environment},
                       {"target", policy->target ? json(*policy->target) : json(nullptr)}};
  }
  return doc.dump(2) + "\n";
}

}  // namespace safedb::report
