#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/json_writer.h"
#include "safedb/report/check_report.h"
#include "safedb/util/size.h"

namespace safedb::report {
namespace {

void finding_json(JsonWriter& w, const sql::Finding& f) {
  w.begin_object();
  w.member("rule", f.rule);
  w.member("severity", to_string(f.severity));
  w.member("message", f.message);
  w.member("help", f.help);
  w.member("line", f.position.line);
  w.member("column", f.position.column);
  if (f.suppressed_because) {
    w.key("suppressed");
    w.begin_object();
    w.member("reason", *f.suppressed_because);
    w.end_object();
  }
  w.end_object();
}

void statement_json(JsonWriter& w, const sql::Statement& st) {
  w.begin_object();
  w.member("index", st.index);
  w.member("line", st.position.line);
  w.member("column", st.position.column);
  w.member("kind", st.kind);
  w.key("effects");
  w.begin_array();
  for (sql::Effect e : st.effects.list())
    w.value(to_string(e));
  w.end_array();
  w.key("objects");
  w.begin_array();
  for (const std::string& o : st.objects)
    w.value(o);
  w.end_array();
  w.key("lock");
  if (st.lock == sql::LockMode::none) {
    w.null();
  } else {
    w.value(to_string(st.lock));
  }
  w.key("findings");
  w.begin_array();
  for (const sql::Finding& f : st.findings)
    finding_json(w, f);
  w.end_array();
  w.end_object();
}

using nlohmann::json;

// What the policies require of one file; small, so built as a document.
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

// An upper estimate of the report's size, so that the string holding it is
// allocated once instead of being copied each time it doubles.
std::size_t estimated_size(const std::vector<CheckedFile>& files) {
  std::size_t size = 4096;
  for (const CheckedFile& file : files) {
    size += 256 + file.analysis.path.size();
    for (const sql::Statement& st : file.analysis.statements) {
      size += 320 + st.kind.size();
      for (const std::string& o : st.objects)
        size += 32 + o.size();
      for (const sql::Finding& f : st.findings) {
        size += 320 + f.rule.size() + f.message.size() + f.help.size();
        if (f.suppressed_because) size += 96 + f.suppressed_because->size();
      }
    }
  }
  return size;
}

// Streamed rather than built as a document: reports of large files would
// otherwise cost as much as the analysis itself.
void json_report(JsonWriter& w, const std::vector<CheckedFile>& files,
                 const PolicyContext* policy) {
  std::string grammar(sql::grammar_version());
  w.begin_object();
  w.member("version", 1);
  w.member("grammar", std::string_view(grammar).substr(0, grammar.find('.')));
  w.key("files");
  w.begin_array();
  for (const CheckedFile& file : files) {
    w.begin_object();
    w.member("path", file.analysis.path);
    w.key("statements");
    w.begin_array();
    for (const sql::Statement& st : file.analysis.statements)
      statement_json(w, st);
    w.end_array();
    w.key("findings");
    w.begin_array();
    for (const sql::Finding& f : file.analysis.file_findings)
      finding_json(w, f);
    w.end_array();
    if (policy != nullptr && file.requirements) {
      w.key("requirements");
      w.raw(requirements_json(*file.requirements).dump());
    }
    w.end_object();
  }
  w.end_array();
  const Tally t = tally(files);
  w.key("summary");
  w.begin_object();
  w.member("statements", t.statements);
  w.member("errors", t.errors);
  w.member("warnings", t.warnings);
  w.member("infos", t.infos);
  w.member("suppressed", t.suppressed);
  w.end_object();
  if (policy != nullptr) {
    w.key("policies");
    w.raw(json{{"folder", policy->folder},
               {"digest", policy->digest},
               {"files", policy->files},
               {"environment", policy->environment},
               {"target", policy->target ? json(*policy->target) : json(nullptr)}}
              .dump());
  }
  w.end_object();
}

}  // namespace

std::string render_json(const std::vector<CheckedFile>& files, const PolicyContext* policy) {
  std::string out;
  out.reserve(estimated_size(files));
  {
    JsonWriter w(out);
    json_report(w, files, policy);
    w.text("\n");
  }  // the writer hands over its last block when it ends
  return out;
}

bool write_json(const std::vector<CheckedFile>& files, const PolicyContext* policy,
                std::FILE* out) {
  JsonWriter w(out);
  json_report(w, files, policy);
  w.text("\n");
  return w.finish();
}

}  // namespace safedb::report
