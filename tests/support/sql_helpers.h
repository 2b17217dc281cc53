#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "safedb/sql/analysis.h"

namespace safedb::test {

// Analyses SQL held in memory. REQUIRES (checked by the caller with
// REQUIRE(result.ok())) that it parses.
inline Result<sql::FileAnalysis> analyse_sql(const std::string& text) {
  auto source = sql::Source::from_text("test.sql", text);
  if (!source) return source.error();
  // The analysis refers to no source memory after it returns.
  return sql::analyse(*source);
}

// The ids of every finding of a statement, suppressed or not.
inline std::vector<std::string> rules_of(const sql::Statement& st) {
  std::vector<std::string> ids;
  for (const sql::Finding& f : st.findings)
    ids.push_back(f.rule);
  return ids;
}

inline bool has_rule(const sql::Statement& st, const std::string& rule) {
  auto ids = rules_of(st);
  return std::find(ids.begin(), ids.end(), rule) != ids.end();
}

inline bool has_rule(const sql::FileAnalysis& a, const std::string& rule) {
  for (const sql::Statement& st : a.statements) {
    if (has_rule(st, rule)) return true;
  }
  for (const sql::Finding& f : a.file_findings) {
    if (f.rule == rule) return true;
  }
  return false;
}

inline std::vector<std::string> effect_names(const sql::Statement& st) {
  std::vector<std::string> names;
  for (sql::Effect e : st.effects.list())
    names.emplace_back(sql::to_string(e));
  return names;
}

}  // namespace safedb::test
