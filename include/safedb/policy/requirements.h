#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/policy/glob.h"
#include "safedb/policy/window.h"
#include "safedb/util/duration.h"

namespace safedb::policy {

// What one rule, or every rule that applies to a file, requires. In the
// combined form (Requirements) each field is the strictest of all the rules
// that ask for it; docs/policies.md says how each one combines.

// A successful dry-run of this exact file (same SHA-256), finished at most
// `max_age` ago, on `on_target` or, when that is empty, on the database the
// file is about to run on.
struct DryRunRequirement {
  util::Duration max_age{0};
  std::optional<std::string> on_target;
};

// A backup of the target database taken at most `max_age` ago; when
// `verified`, one whose restore was verified.
struct BackupRequirement {
  util::Duration max_age{0};
  bool verified = true;
};

// At least `min` distinct approvals bound to this exact change. An approver
// must match at least one pattern of every list in `principal_patterns` (one
// list per rule that names principals; no list means anyone who may sign).
// The person requesting the run and the one executing it do not count when
// excluded.
struct ApprovalRequirement {
  int min = 1;
  std::vector<std::vector<Glob>> principal_patterns;
  bool exclude_requester = false;
  bool exclude_executor = false;

  // Whether `principal` may give one of these approvals as far as the
  // patterns go (exclusions depend on who requests and executes).
  bool accepts(std::string_view principal) const;
};

// A snapshot of what `statements` destroy, taken in the same transaction
// before they run; the run is refused when it would exceed `max_size`.
struct SnapshotRequirement {
  std::optional<std::uint64_t> max_size;  // bytes; nullopt: no limit
  std::vector<int> statements;            // indexes of the statements to snapshot
};

// Each of `statements` may change at most `max_rows` rows.
struct RowCap {
  std::int64_t max_rows = 0;
  std::vector<int> statements;
};

// Who may override the dry-run, backup, approval and window requirements in
// an emergency: a person matching at least one pattern of every list.
struct BreakGlassAllowance {
  std::vector<std::vector<Glob>> principal_patterns;

  // True if `principal` matches a pattern of every list.
  bool accepts(std::string_view principal) const;
};

// A rule of a policy file, for reports: "production.json" and its rule id.
struct RuleRef {
  std::string file;  // the file's name within the policies folder
  std::string rule;
  friend bool operator==(const RuleRef&, const RuleRef&) = default;
};

// A rule that matched some statements of the file.
struct AppliedRule {
  RuleRef rule;
  std::vector<int> statements;  // indexes, in file order
};

// A statement that a rule forbids outright.
struct Denial {
  RuleRef rule;
  std::string message;
  int statement = 0;  // index in the file
  int line = 0;       // the statement's first line
};

// Everything the policies in force require before a file may run on a
// target. An empty Requirements (nothing applies) requires nothing.
struct Requirements {
  std::string environment;           // of the target evaluated
  std::string target;                // its name
  std::vector<std::string> files;    // the policy files that apply to it, by name
  std::vector<AppliedRule> applied;  // in policy-file order, then rule order

  std::vector<Denial> denials;              // every deny of every matching rule
  std::vector<DryRunRequirement> dry_runs;  // one per rehearsal database, smallest max_age
  std::optional<BackupRequirement> backup;  // smallest max_age; verified if any rule says so
  std::optional<ApprovalRequirement> approvals;
  std::optional<SnapshotRequirement> snapshot;
  std::optional<util::Duration> lock_timeout;  // the smallest asked for
  std::optional<RowCap> row_cap;
  std::vector<MaintenanceWindow> windows;          // every one must be open (distinct windows only)
  std::optional<BreakGlassAllowance> break_glass;  // nullopt: break-glass is not allowed

  // True when nothing is required and nothing denied.
  bool empty() const;
};

// The requirements in plain lines for people, denials first:
// "dry-run of this file on this database within 4h", ...
// An empty result means nothing is required.
std::vector<std::string> describe(const Requirements& requirements);

// Problems with running now, at `now` (Unix seconds), as far as maintenance
// windows go; empty when every window is open. E.g. "outside the maintenance
// window sat,sun 02:00–05:00 UTC; next opens 2026-11-28 02:00 UTC".
std::vector<std::string> check_window(const Requirements& requirements, std::time_t now);

}  // namespace safedb::policy
