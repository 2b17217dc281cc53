// libFuzzer target: arbitrary bytes through Source validation, the analyser
// and every report renderer. Besides the sanitizers it checks the invariants
// that the report code relies on: statement ranges and finding positions
// point inside the source.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "safedb/report/check_report.h"
#include "safedb/sql/analysis.h"
#include "safedb/sql/source.h"

namespace {

using safedb::report::CheckedFile;
namespace sql = safedb::sql;

void require(bool condition) {
  if (!condition) std::abort();
}

void check_position(const sql::Source& source, sql::Position p) {
  require(p.line >= 1 && p.line <= source.line_count());
  require(p.column >= 1);
}

void check_invariants(const sql::Source& source, const sql::FileAnalysis& analysis) {
  const std::size_t size = source.text().size();
  require(!analysis.statements.empty());
  for (std::size_t i = 0; i < analysis.statements.size(); ++i) {
    const sql::Statement& st = analysis.statements[i];
    require(st.index == static_cast<int>(i));
    require(st.offset <= size && st.length <= size - st.offset);
    require(!st.kind.empty());
    check_position(source, st.position);
    for (const sql::Finding& f : st.findings) {
      require(!f.rule.empty());
      check_position(source, f.position);
    }
  }
  for (const sql::Finding& f : analysis.file_findings)
    check_position(source, f.position);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  safedb::Result<sql::Source> source = sql::Source::from_text("fuzz.sql", std::move(text));
  if (!source) return 0;

  safedb::Result<sql::FileAnalysis> analysis = sql::analyse(*source);
  if (!analysis) {
    require(!analysis.error().message().empty());
    return 0;
  }
  check_invariants(*source, *analysis);

  std::vector<CheckedFile> files;
  files.push_back({&*source, std::move(analysis).value()});
  for (const sql::Statement& st : files[0].analysis.statements)
    (void)st.text(*source);
  (void)safedb::report::tally(files);
  (void)safedb::report::fails(files, sql::Severity::info);
  (void)safedb::report::render_text(files, {.color = false});
  (void)safedb::report::render_text(files, {.color = true});
  // The JSON report is written by hand: it must always be valid JSON.
  if (nlohmann::json::parse(safedb::report::render_json(files), nullptr, false).is_discarded())
    std::abort();
  (void)safedb::report::render_sarif(files);
  (void)safedb::report::render_github(files);
  return 0;
}
