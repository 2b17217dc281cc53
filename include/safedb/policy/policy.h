#pragma once

#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "safedb/crypto/hash.h"
#include "safedb/exec/target.h"
#include "safedb/policy/glob.h"
#include "safedb/policy/requirements.h"
#include "safedb/sql/analysis.h"
#include "safedb/util/result.h"

namespace safedb::policy {

// Policies: the declarative files of a policies folder (docs/policies.md),
// read once, checked as a whole, then evaluated against analysed SQL files.

// Which statements a rule is about. Within a key any listed item matches;
// every key present must match (keys are joined with AND). A rule without
// "when" applies to every statement.
struct When {
  std::optional<sql::EffectSet> effects;
  std::optional<std::vector<std::string>> rules;  // finding rule ids, suppressed or not
  std::optional<std::vector<std::string>> kinds;  // parse-node names, e.g. "DropdbStmt"
  std::optional<std::vector<Glob>> objects;       // patterns over "schema.name"

  bool matches(const sql::Statement& statement) const;
};

// What one rule asks for; every field is optional.
struct RuleRequirements {
  std::optional<DryRunRequirement> dry_run;
  std::optional<BackupRequirement> backup;
  std::optional<ApprovalRequirement> approvals;  // principal_patterns has at most one list
  std::optional<SnapshotRequirement> snapshot;   // statements: unused here
  std::optional<util::Duration> lock_timeout;
  std::optional<std::int64_t> max_rows;
  std::optional<MaintenanceWindow> window;
};

// Where something was written, for messages: the line and the key path.
struct Location {
  int line = 0;
  std::string key;  // "rules.1.require.window"
};

struct Rule {
  std::string id;
  Location at;
  When when;
  RuleRequirements require;  // empty when the rule denies
  std::optional<std::string> deny;
  Location window_at;     // when require.window is set
  Location approvals_at;  // when require.approvals is set
};

// Where a policy file applies: targets whose environment is listed ("*"
// listing every environment) or whose name is listed (an ad-hoc --dsn target
// has no name).
struct AppliesTo {
  std::vector<std::string> environments;
  std::vector<std::string> targets;

  bool applies(const exec::TargetSpec& target) const;
};

struct BreakGlassPolicy {
  bool allowed = false;
  std::vector<Glob> principals;  // who may break the glass, when allowed
  Location at;
};

struct PolicyFile {
  std::string name;   // file name within the folder, e.g. "production.json"
  std::string path;   // as read, for messages
  std::string bytes;  // exactly as read
  AppliesTo applies_to;
  std::vector<Rule> rules;
  std::optional<BreakGlassPolicy> break_glass;
};

struct LoadOptions {
  // The start of the 53 weeks over which maintenance windows that apply
  // together must overlap somewhere; 0 means the current time.
  std::time_t now = 0;
  // Targets known from safedb.json, name -> environment. When set,
  // "applies_to.targets" and "dry_run.on" must name one of them, and a
  // target's environment is known when looking for conflicts.
  std::optional<std::map<std::string, std::string>> targets;
};

class PolicySet {
 public:
  // Reads every "*.json" file of `folder` (not sub-folders; names starting
  // with '.' are ignored), in byte order of their names, and checks them
  // alone and together. Fails listing every problem of every file at once,
  // one "file:line: key: message" per line. A missing folder is an error
  // naming it; an empty folder is valid and requires nothing.
  static Result<PolicySet> load(const std::string& folder, const LoadOptions& options = {});

  const std::string& folder() const { return folder_; }
  const std::vector<PolicyFile>& files() const { return files_; }
  // SHA-256 over, for each file in order: its name, a NUL byte, its size in
  // decimal, a NUL byte, and its exact bytes. Any change to the policies in
  // force (a byte, a rename, a file added or removed) changes it.
  crypto::Digest digest() const;
  std::string digest_hex() const;

  // Which rules of which files apply to which statements of `analysis` on
  // `target`, and what they require together.
  Requirements evaluate(const sql::FileAnalysis& analysis, const exec::TargetSpec& target) const;

 private:
  std::string folder_;
  std::vector<PolicyFile> files_;
};

}  // namespace safedb::policy
