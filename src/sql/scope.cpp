#include "sql/scope.h"

#include <algorithm>

#include "safedb/sql/rules.h"

namespace safedb::sql {

void Scope::add_object(const std::string& name) {
  if (name.empty()) return;
  if (std::find(sink_.objects.begin(), sink_.objects.end(), name) == sink_.objects.end()) {
    sink_.objects.push_back(name);
  }
}

void Scope::lock(LockMode mode, const std::string& relation) {
  if (relation.empty() || mode == LockMode::none || !existing(relation)) return;
  LockMode& held = sink_.locks[relation];
  if (mode > held) held = mode;
  lock_unnamed(mode);
}

void Scope::lock_unnamed(LockMode mode) {
  if (mode > sink_.lock) sink_.lock = mode;
  if (blocks_writes(mode)) add(Effect::blocking);
}

void Scope::take_locks(const Sink& other) {
  for (const auto& [relation, mode] : other.locks)
    lock(mode, relation);
  if (other.locks.empty()) lock_unnamed(other.lock);
}

void Scope::report(std::string_view rule, int location, std::string message) {
  const RuleInfo* info = find_rule(rule);
  Finding finding;
  finding.rule = std::string(rule);
  finding.severity = info ? info->severity : Severity::error;
  finding.help = info ? std::string(info->help) : std::string();
  finding.message = std::move(message);
  std::size_t offset =
      location >= 0 ? base_ + static_cast<std::size_t>(location) : fallback_offset_;
  finding.position = source_.position_of(std::min(offset, source_.text().size()));
  // One finding per rule and position: a construct visited twice reports once.
  for (const Finding& existing_finding : findings_) {
    if (existing_finding.rule == finding.rule && existing_finding.position == finding.position)
      return;
  }
  findings_.push_back(std::move(finding));
}

}  // namespace safedb::sql
