#include "conflicts.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "civil.h"

namespace safedb::policy {
namespace {

// Window conflicts are looked for over 53 weeks: every weekday of every
// daylight-saving period of a year.
constexpr std::int64_t kHorizon = 371 * civil::kSecondsPerDay;
// More combinations of principal patterns than this are assumed to combine.
constexpr std::size_t kMaxCombinations = 4096;

// A target that may exist: in environment `environment` and named `target`;
// an empty string stands for any name that no policy file lists.
struct Scope {
  std::string environment;
  std::string target;

  std::string text() const {
    if (!environment.empty() && !target.empty())
      return fmt::format("target {} in environment {}", target, environment);
    if (!environment.empty()) return fmt::format("environment {}", environment);
    if (!target.empty()) return fmt::format("target {}", target);
    return "every environment";
  }
};

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool applies(const PolicyFile& file, const Scope& scope) {
  const AppliesTo& a = file.applies_to;
  return contains(a.environments, "*") ||
         (!scope.environment.empty() && contains(a.environments, scope.environment)) ||
         (!scope.target.empty() && contains(a.targets, scope.target));
}

struct Group {
  Scope scope;
  std::vector<const PolicyFile*> files;
};

// The distinct sets of files that may apply to one target together.
std::vector<Group> groups_of(const std::vector<PolicyFile>& files, const KnownTargets* targets) {
  std::set<std::string> environments{""}, names{""};
  for (const PolicyFile& f : files) {
    for (const std::string& e : f.applies_to.environments) {
      if (e != "*") environments.insert(e);
    }
    names.insert(f.applies_to.targets.begin(), f.applies_to.targets.end());
  }
  std::vector<Group> groups;
  std::set<std::vector<const PolicyFile*>> seen;
  for (const std::string& target : names) {
    for (const std::string& environment : environments) {
      if (targets != nullptr && !target.empty()) {
        auto it = targets->find(target);
        if (it != targets->end()) {
          const std::string known = environments.contains(it->second) ? it->second : "";
          if (environment != known) continue;
        }
      }
      Group g{{environment, target}, {}};
      for (const PolicyFile& f : files) {
        if (applies(f, g.scope)) g.files.push_back(&f);
      }
      if (g.files.empty() || !seen.insert(g.files).second) continue;
      groups.push_back(std::move(g));
    }
  }
  return groups;
}

// Something a rule or file asks for, with where it was written.
struct Item {
  const PolicyFile* file = nullptr;
  Location at;
  std::string text;
  std::vector<Glob> patterns;  // principals (approvals, break-glass)
  const MaintenanceWindow* window = nullptr;

  std::string where() const { return fmt::format("{}:{}", file->path, at.line); }
  std::string problem(const std::string& message) const {
    return fmt::format("{}:{}: {}: {}", file->path, at.line, at.key, message);
  }
};

std::string patterns_text(const std::vector<Glob>& patterns) {
  std::string out;
  for (const Glob& g : patterns)
    out += (out.empty() ? "" : " or ") + g.text();
  return out;
}

// Whether one principal could match a pattern of every list.
bool jointly_matchable(const std::vector<const Item*>& items) {
  std::size_t combinations = 1;
  for (const Item* item : items) {
    combinations *= item->patterns.size();
    if (combinations > kMaxCombinations) return true;
  }
  std::vector<const Glob*> choice(items.size());
  std::function<bool(std::size_t)> pick = [&](std::size_t k) {
    if (k == items.size()) return Glob::can_match_all(choice);
    for (const Glob& g : items[k]->patterns) {
      choice[k] = &g;
      if (pick(k + 1)) return true;
    }
    return false;
  };
  return pick(0);
}

class ConflictFinder {
 public:
  ConflictFinder(std::time_t now) : from_(now), to_(now + kHorizon) {}

  void check(const Group& group) {
    std::vector<Item> windows, approvals, break_glass;
    std::vector<Item> forbidding;
    for (const PolicyFile* f : group.files) {
      for (const Rule& rule : f->rules) {
        if (rule.require.window)
          windows.push_back(
              Item{f, rule.window_at, rule.require.window->text(), {}, &*rule.require.window});
        if (rule.require.approvals && !rule.require.approvals->principal_patterns.empty()) {
          const auto& patterns = rule.require.approvals->principal_patterns.front();
          approvals.push_back(Item{f,
                                   {rule.approvals_at.line, rule.approvals_at.key + ".principals"},
                                   patterns_text(patterns),
                                   patterns,
                                   nullptr});
        }
      }
      if (f->break_glass) {
        Item item{f, f->break_glass->at, patterns_text(f->break_glass->principals),
                  f->break_glass->principals, nullptr};
        (f->break_glass->allowed ? break_glass : forbidding).push_back(item);
      }
    }
    const std::string scope = group.scope.text();
    check_windows(windows, scope);
    check_principals(approvals, scope, "approvals could never be given");
    check_principals(break_glass, scope, "no one could break the glass");
    for (const Item& no : forbidding) {
      for (const Item& yes : break_glass) {
        add(no.where() + " " + yes.where(),
            no.problem(fmt::format(
                "forbids break-glass, but {} allows it; both apply to {}: decide in one place",
                yes.where(), scope)));
      }
    }
  }

  std::vector<std::string> problems() const { return problems_; }

 private:
  // Reports `problem` once per `key` (the places involved), whichever
  // group of files showed it first.
  void add(const std::string& key, const std::string& problem) {
    if (seen_.insert(key).second) problems_.push_back(problem);
  }

  const std::vector<Interval>& intervals(const MaintenanceWindow* w) {
    auto it = intervals_.find(w);
    if (it == intervals_.end()) it = intervals_.emplace(w, open_intervals(*w, from_, to_)).first;
    return it->second;
  }

  void check_windows(const std::vector<Item>& windows, const std::string& scope) {
    if (windows.size() < 2) return;
    std::vector<Interval> common = intervals(windows[0].window);
    for (std::size_t k = 1; k < windows.size(); ++k)
      common = intersect(common, intervals(windows[k].window));
    if (!common.empty()) return;
    bool found_pair = false;
    for (std::size_t j = 1; j < windows.size(); ++j) {
      for (std::size_t i = 0; i < j; ++i) {
        if (!intersect(intervals(windows[i].window), intervals(windows[j].window)).empty())
          continue;
        found_pair = true;
        add(windows[j].where() + " " + windows[i].where(),
            windows[j].problem(fmt::format(
                "{} is never open while {} ({}) is; both apply to {}, so a file that needs both "
                "could never run",
                windows[j].text, windows[i].text, windows[i].where(), scope)));
      }
    }
    if (!found_pair) {
      std::string others;
      for (std::size_t i = 0; i + 1 < windows.size(); ++i)
        others += (others.empty() ? "" : ", ") + windows[i].where();
      add(windows.back().where() + " " + others,
          windows.back().problem(fmt::format(
              "{} is never open while the windows at {} are all open; they all apply to {}, so a "
              "file that needs them all could never run",
              windows.back().text, others, scope)));
    }
  }

  void check_principals(const std::vector<Item>& items, const std::string& scope,
                        const std::string& consequence) {
    if (items.size() < 2) return;
    std::vector<const Item*> all;
    for (const Item& item : items)
      all.push_back(&item);
    if (jointly_matchable(all)) return;
    bool found_pair = false;
    for (std::size_t j = 1; j < items.size(); ++j) {
      for (std::size_t i = 0; i < j; ++i) {
        if (jointly_matchable({&items[i], &items[j]})) continue;
        found_pair = true;
        add(items[j].where() + " " + items[i].where(),
            items[j].problem(
                fmt::format("no principal can match both {} and {} ({}); both apply to {}, so {}",
                            items[j].text, items[i].text, items[i].where(), scope, consequence)));
      }
    }
    if (!found_pair) {
      std::string others;
      for (std::size_t i = 0; i + 1 < items.size(); ++i)
        others += (others.empty() ? "" : ", ") + items[i].where();
      add(items.back().where() + " " + others,
          items.back().problem(fmt::format("no principal can match {} and the patterns at {} all "
                                           "together; they all apply to {}, "
                                           "so {}",
                                           items.back().text, others, scope, consequence)));
    }
  }

  std::int64_t from_, to_;
  std::map<const MaintenanceWindow*, std::vector<Interval>> intervals_;
  std::vector<std::string> problems_;
  std::set<std::string> seen_;
};

}  // namespace

std::vector<std::string> find_conflicts(const std::vector<PolicyFile>& files,
                                        const KnownTargets* targets, std::time_t now) {
  ConflictFinder finder(now);
  for (const Group& group : groups_of(files, targets))
    finder.check(group);
  return finder.problems();
}

}  // namespace safedb::policy
