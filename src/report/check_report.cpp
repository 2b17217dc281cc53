#include <algorithm>

#include "safedb/report/check_report.h"

namespace safedb::report {

std::optional<Format> format_from_string(std::string_view name) {
  if (name == "text") return Format::text;
  if (name == "json") return Format::json;
  if (name == "sarif") return Format::sarif;
  if (name == "github") return Format::github;
  return std::nullopt;
}

std::vector<const sql::Finding*> findings_of(const sql::FileAnalysis& analysis) {
  std::vector<const sql::Finding*> all;
  for (const sql::Finding& f : analysis.file_findings)
    all.push_back(&f);
  for (const sql::Statement& st : analysis.statements) {
    for (const sql::Finding& f : st.findings)
      all.push_back(&f);
  }
  std::stable_sort(all.begin(), all.end(), [](const sql::Finding* a, const sql::Finding* b) {
    return a->position.line != b->position.line ? a->position.line < b->position.line
                                                : a->position.column < b->position.column;
  });
  return all;
}

Tally tally(const std::vector<CheckedFile>& files) {
  Tally t;
  for (const CheckedFile& file : files) {
    t.statements += static_cast<int>(file.analysis.statements.size());
    for (const sql::Finding* f : findings_of(file.analysis)) {
      if (f->suppressed_because) {
        ++t.suppressed;
        continue;
      }
      switch (f->severity) {
        case sql::Severity::error:
          ++t.errors;
          break;
        case sql::Severity::warning:
          ++t.warnings;
          break;
        case sql::Severity::info:
          ++t.infos;
          break;
      }
    }
  }
  return t;
}

bool fails(const std::vector<CheckedFile>& files, std::optional<sql::Severity> threshold) {
  if (!threshold) return false;
  for (const CheckedFile& file : files) {
    for (const sql::Finding* f : findings_of(file.analysis)) {
      if (!f->suppressed_because && f->severity >= *threshold) return true;
    }
  }
  return false;
}

bool denied(const std::vector<CheckedFile>& files) {
  return std::any_of(files.begin(), files.end(), [](const CheckedFile& f) {
    return f.requirements && !f.requirements->denials.empty();
  });
}

}  // namespace safedb::report
