// Which rules apply to which statements, and what they require together.
#include <algorithm>

#include "safedb/policy/policy.h"

namespace safedb::policy {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void add_statements(std::vector<int>& into, const std::vector<int>& statements) {
  into.insert(into.end(), statements.begin(), statements.end());
  std::sort(into.begin(), into.end());
  into.erase(std::unique(into.begin(), into.end()), into.end());
}

bool same_patterns(const std::vector<Glob>& a, const std::vector<Glob>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const Glob& x, const Glob& y) { return x.text() == y.text(); });
}

void add_pattern_list(std::vector<std::vector<Glob>>& lists, const std::vector<Glob>& list) {
  for (const auto& existing : lists) {
    if (same_patterns(existing, list)) return;
  }
  lists.push_back(list);
}

// Folds one rule's requirements into the combined ones, keeping the strictest.
void combine(Requirements& out, const RuleRequirements& q, const std::vector<int>& statements,
             const exec::TargetSpec& target) {
  if (q.dry_run) {
    DryRunRequirement d = *q.dry_run;
    if (d.on_target == target.name) d.on_target.reset();  // rehearsing on itself
    auto same =
        std::find_if(out.dry_runs.begin(), out.dry_runs.end(),
                     [&](const DryRunRequirement& e) { return e.on_target == d.on_target; });
    if (same == out.dry_runs.end())
      out.dry_runs.push_back(d);
    else
      same->max_age = std::min(same->max_age, d.max_age);
  }
  if (q.backup) {
    if (!out.backup) {
      out.backup = *q.backup;
    } else {
      out.backup->max_age = std::min(out.backup->max_age, q.backup->max_age);
      out.backup->verified = out.backup->verified || q.backup->verified;
    }
  }
  if (q.approvals) {
    if (!out.approvals) out.approvals = ApprovalRequirement{q.approvals->min, {}, false, false};
    ApprovalRequirement& a = *out.approvals;
    a.min = std::max(a.min, q.approvals->min);
    for (const auto& list : q.approvals->principal_patterns)
      add_pattern_list(a.principal_patterns, list);
    a.exclude_requester = a.exclude_requester || q.approvals->exclude_requester;
    a.exclude_executor = a.exclude_executor || q.approvals->exclude_executor;
  }
  if (q.snapshot) {
    if (!out.snapshot) {
      out.snapshot = SnapshotRequirement{q.snapshot->max_size, {}};
    } else if (q.snapshot->max_size) {
      out.snapshot->max_size = out.snapshot->max_size
                                   ? std::min(*out.snapshot->max_size, *q.snapshot->max_size)
                                   : *q.snapshot->max_size;
    }
    add_statements(out.snapshot->statements, statements);
  }
  if (q.lock_timeout)
    out.lock_timeout =
        out.lock_timeout ? std::min(*out.lock_timeout, *q.lock_timeout) : *q.lock_timeout;
  if (q.max_rows) {
    if (!out.row_cap)
      out.row_cap = RowCap{*q.max_rows, {}};
    else
      out.row_cap->max_rows = std::min(out.row_cap->max_rows, *q.max_rows);
    add_statements(out.row_cap->statements, statements);
  }
  if (q.window) {
    const std::string text = q.window->text();
    const bool known = std::any_of(out.windows.begin(), out.windows.end(),
                                   [&](const MaintenanceWindow& w) { return w.text() == text; });
    if (!known) out.windows.push_back(*q.window);
  }
}

}  // namespace

bool When::matches(const sql::Statement& st) const {
  if (effects && !st.effects.has_any(*effects)) return false;
  if (rules) {
    const bool any = std::any_of(st.findings.begin(), st.findings.end(),
                                 [&](const sql::Finding& f) { return contains(*rules, f.rule); });
    if (!any) return false;
  }
  if (kinds && !contains(*kinds, st.kind)) return false;
  if (objects) {
    const bool any = std::any_of(st.objects.begin(), st.objects.end(), [&](const std::string& o) {
      return std::any_of(objects->begin(), objects->end(),
                         [&](const Glob& g) { return g.matches(o); });
    });
    if (!any) return false;
  }
  return true;
}

bool AppliesTo::applies(const exec::TargetSpec& target) const {
  return contains(environments, "*") || contains(environments, target.environment) ||
         (!target.ad_hoc && contains(targets, target.name));
}

Requirements PolicySet::evaluate(const sql::FileAnalysis& analysis,
                                 const exec::TargetSpec& target) const {
  Requirements out;
  out.environment = target.environment;
  out.target = target.name;
  bool glass_forbidden = false;
  std::optional<BreakGlassAllowance> glass;
  for (const PolicyFile& file : files_) {
    if (!file.applies_to.applies(target)) continue;
    out.files.push_back(file.name);
    if (file.break_glass) {
      if (!file.break_glass->allowed) {
        glass_forbidden = true;
      } else {
        if (!glass) glass = BreakGlassAllowance{};
        add_pattern_list(glass->principal_patterns, file.break_glass->principals);
      }
    }
    for (const Rule& rule : file.rules) {
      std::vector<const sql::Statement*> matched;
      std::vector<int> statements;
      for (const sql::Statement& st : analysis.statements) {
        if (!rule.when.matches(st)) continue;
        matched.push_back(&st);
        statements.push_back(st.index);
      }
      if (statements.empty()) continue;
      const RuleRef ref{file.name, rule.id};
      out.applied.push_back(AppliedRule{ref, statements});
      if (rule.deny) {
        for (const sql::Statement* st : matched)
          out.denials.push_back(Denial{ref, *rule.deny, st->index, st->position.line});
        continue;
      }
      combine(out, rule.require, statements, target);
    }
  }
  // Break-glass needs a file that allows it and none that forbids it.
  if (glass && !glass_forbidden) out.break_glass = std::move(glass);
  return out;
}

}  // namespace safedb::policy
