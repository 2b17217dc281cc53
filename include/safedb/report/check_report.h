#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/policy/requirements.h"
#include "safedb/sql/analysis.h"

namespace safedb::report {

enum class Format { text, json, sarif, github };
std::optional<Format> format_from_string(std::string_view name);

// One analysed file. REQUIRES: `source` outlives the report.
struct CheckedFile {
  const sql::Source* source = nullptr;
  sql::FileAnalysis analysis;
  // What the policies require of this file (`check --env`); nullopt otherwise.
  std::optional<policy::Requirements> requirements;
};

// The policies `check --env` evaluated the files against.
struct PolicyContext {
  std::string folder;
  std::string digest;              // hex SHA-256 of the policy files in force (PolicySet::digest)
  std::vector<std::string> files;  // every policy file of the folder, by name
  std::string environment;
  std::optional<std::string> target;  // --target, when given
};

// Counts of findings that are not suppressed, per severity, plus suppressed ones.
struct Tally {
  int statements = 0;
  int errors = 0;
  int warnings = 0;
  int infos = 0;
  int suppressed = 0;
};
Tally tally(const std::vector<CheckedFile>& files);
// True if any finding that is not suppressed is at or above `threshold`.
bool fails(const std::vector<CheckedFile>& files, std::optional<sql::Severity> threshold);

struct TextStyle {
  bool color = false;
};

// Renderers. Each returns the whole document; JSON shapes are documented in docs/cli.md.
// With `policy`, each file's requirements are rendered too.
std::string render_text(const std::vector<CheckedFile>& files, TextStyle style,
                        const PolicyContext* policy = nullptr);
std::string render_json(const std::vector<CheckedFile>& files,
                        const PolicyContext* policy = nullptr);
// The same document written to `out` as it is produced, so that the report of
// a large file is never held whole in memory. False if a write failed (errno
// tells why); what was written before stays written.
bool write_json(const std::vector<CheckedFile>& files, const PolicyContext* policy, std::FILE* out);
std::string render_sarif(const std::vector<CheckedFile>& files,
                         const PolicyContext* policy = nullptr);
std::string render_github(const std::vector<CheckedFile>& files,
                          const PolicyContext* policy = nullptr);

// True if a policy denies a statement of any file.
bool denied(const std::vector<CheckedFile>& files);

// Every finding of a file, statement findings and file findings, in file order.
std::vector<const sql::Finding*> findings_of(const sql::FileAnalysis& analysis);

}  // namespace safedb::report
