#include "safedb/policy/requirements.h"

#include <fmt/format.h>

#include <algorithm>

#include "civil.h"
#include "safedb/util/size.h"

namespace safedb::policy {
namespace {

// How far ahead check_window looks for the next time every window is open.
constexpr std::int64_t kLookAhead = 371 * civil::kSecondsPerDay;

std::string statements_text(const std::vector<int>& statements) {
  std::string out;
  for (int i : statements)
    out += fmt::format("{}#{}", out.empty() ? "" : ", ", i);
  return fmt::format("statement{} {}", statements.size() == 1 ? "" : "s", out);
}

// "a or b" within a list; lists joined with "and also".
std::string principals_text(const std::vector<std::vector<Glob>>& lists) {
  std::string out;
  for (const auto& list : lists) {
    std::string one;
    for (const Glob& g : list)
      one += (one.empty() ? "" : " or ") + g.text();
    out += (out.empty() ? "" : ", and also ") + one;
  }
  return out;
}

bool matches_every_list(const std::vector<std::vector<Glob>>& lists, std::string_view principal) {
  return std::all_of(lists.begin(), lists.end(), [&](const std::vector<Glob>& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](const Glob& g) { return g.matches(principal); });
  });
}

}  // namespace

bool ApprovalRequirement::accepts(std::string_view principal) const {
  return matches_every_list(principal_patterns, principal);
}

bool BreakGlassAllowance::accepts(std::string_view principal) const {
  return matches_every_list(principal_patterns, principal);
}

bool Requirements::empty() const {
  return denials.empty() && dry_runs.empty() && !backup && !approvals && !snapshot &&
         !lock_timeout && !row_cap && windows.empty();
}

std::vector<std::string> describe(const Requirements& r) {
  std::vector<std::string> lines;
  for (const Denial& d : r.denials) {
    lines.push_back(fmt::format("refused: statement #{} (line {}) is denied by {} rule {}: {}",
                                d.statement, d.line, d.rule.file, d.rule.rule, d.message));
  }
  for (const DryRunRequirement& d : r.dry_runs) {
    lines.push_back(fmt::format("dry-run of this file on {} within {}",
                                d.on_target ? *d.on_target : "this database",
                                util::format_duration(d.max_age)));
  }
  if (r.backup) {
    lines.push_back(fmt::format("{} of this database taken within {}",
                                r.backup->verified ? "restore-verified backup" : "backup",
                                util::format_duration(r.backup->max_age)));
  }
  if (r.approvals) {
    const ApprovalRequirement& a = *r.approvals;
    std::string line =
        fmt::format("{} approval{} of this exact change", a.min, a.min == 1 ? "" : "s");
    if (!a.principal_patterns.empty())
      line += " by principals matching " + principals_text(a.principal_patterns);
    if (a.exclude_requester && a.exclude_executor)
      line += "; neither the requester nor the executor counts";
    else if (a.exclude_requester)
      line += "; the requester does not count";
    else if (a.exclude_executor)
      line += "; the executor does not count";
    lines.push_back(line);
  }
  if (r.snapshot) {
    const bool one = r.snapshot->statements.size() == 1;
    lines.push_back(fmt::format(
        "snapshot of what {} destroy{}, taken before {}{}", statements_text(r.snapshot->statements),
        one ? "s" : "", one ? "it runs" : "they run",
        r.snapshot->max_size
            ? fmt::format(" (at most {})", util::format_size(*r.snapshot->max_size))
            : ""));
  }
  if (r.lock_timeout)
    lines.push_back(
        fmt::format("lock_timeout of at most {}", util::format_duration(*r.lock_timeout)));
  if (r.row_cap) {
    lines.push_back(fmt::format("at most {} row{} changed by {}{}", r.row_cap->max_rows,
                                r.row_cap->max_rows == 1 ? "" : "s",
                                r.row_cap->statements.size() == 1 ? "" : "each of ",
                                statements_text(r.row_cap->statements)));
  }
  for (const MaintenanceWindow& w : r.windows)
    lines.push_back(fmt::format("only inside the maintenance window {}", w.text()));
  // Break-glass is worth mentioning only when something could be lifted.
  const bool requires_something = lines.size() > r.denials.size();
  if (r.break_glass && requires_something) {
    lines.push_back(fmt::format(
        "break-glass allowed for principals matching {} (lifts the dry-run, backup, approval "
        "and window requirements; never a denial)",
        principals_text(r.break_glass->principal_patterns)));
  }
  return lines;
}

std::vector<std::string> check_window(const Requirements& r, std::time_t now) {
  std::vector<std::string> problems;
  if (r.windows.empty()) return problems;
  const std::int64_t t = now;
  std::vector<Interval> together = open_intervals(r.windows.front(), t, t + kLookAhead);
  for (std::size_t k = 1; k < r.windows.size(); ++k)
    together = intersect(together, open_intervals(r.windows[k], t, t + kLookAhead));
  for (const MaintenanceWindow& w : r.windows) {
    if (w.is_open(t)) continue;
    std::string next;
    if (together.empty()) {
      next = r.windows.size() == 1 ? "it does not open within a year"
                                   : "the windows required here are never open together";
    } else {
      next = "next opens " + format_local(together.front().begin, w.spans.front().zone);
      if (r.windows.size() > 1) next += " (when every required window is open)";
    }
    problems.push_back(fmt::format("outside the maintenance window {}; {}", w.text(), next));
  }
  return problems;
}

}  // namespace safedb::policy
