#pragma once

#include <span>
#include <string_view>

#include "safedb/sql/analysis.h"

namespace safedb::sql {

// The catalogue of findings the analyser can report. docs/rules.md is
// generated from this table (`safedb rules --format markdown`), and a test
// checks that every bad example triggers its rule and every good one does not.
struct RuleInfo {
  std::string_view id;       // stable kebab-case id used in output and suppressions
  Severity severity;         // default severity
  std::string_view group;    // "data-loss", "locking", "schema", "privilege", "opaque", ...
  std::string_view summary;  // one line: what the rule catches
  std::string_view help;     // one line: how to do it safely (shown with every finding)
  std::string_view bad;      // SQL that triggers the rule
  std::string_view good;     // the safe equivalent; triggers no finding of this rule
};

std::span<const RuleInfo> all_rules();
// nullptr if no rule has this id.
const RuleInfo* find_rule(std::string_view id);

}  // namespace safedb::sql
