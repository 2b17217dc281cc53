#include "report/json_writer.h"
#include "safedb/report/check_report.h"

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

}  // namespace

// Streamed rather than built as a document: reports of large files would
// otherwise cost as much as the analysis itself.
std::string render_json(const std::vector<CheckedFile>& files) {
  std::string out;
  JsonWriter w(out);
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
  w.end_object();
  out += '\n';
  return out;
}

}  // namespace safedb::report
