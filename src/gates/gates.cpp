#include "safedb/gates/gates.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "safedb/approval/approvals.h"
#include "safedb/audit/listing.h"
#include "safedb/audit/verify.h"
#include "safedb/snapshot/snapshot.h"
#include "safedb/util/duration.h"

namespace safedb::gates {
namespace {

using nlohmann::json;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The log's records, if the log can be trusted as evidence: it verifies
// against the trust anchors, apart from runs left incomplete by a crash.
struct Evidence {
  std::vector<audit::ListedRecord> records;
  std::optional<std::string> unusable;  // why the log cannot serve as evidence
};

Evidence read_evidence(const GateInput& in) {
  Evidence e;
  if (in.signers == nullptr || in.signers->empty()) {
    e.unusable = "no allowed_signers to check the audit log's signatures against";
    return e;
  }
  Result<std::vector<audit::ListedRecord>> records =
      audit::trusted_records(in.log_path, *in.signers, in.mark_key);
  if (!records) {
    e.unusable = records.error().message();
    return e;
  }
  e.records = std::move(*records);
  return e;
}

bool same_database(const json& target, const db::TargetIdentity& identity) {
  return target.value("system_identifier", "") == identity.system_identifier &&
         target.value("database", "") == identity.database;
}

void check_dry_runs(const GateInput& in, const Evidence& ev, GateResult& out) {
  for (const policy::DryRunRequirement& need : in.requirements->dry_runs) {
    const std::string where = need.on_target ? "target " + *need.on_target : "this database";
    if (ev.unusable) {
      out.missing.push_back(fmt::format("a dry-run of this file on {} within {}: {}", where,
                                        util::format_duration(need.max_age), *ev.unusable));
      continue;
    }
    const audit::ListedRecord* found = nullptr;
    for (const audit::ListedRecord& r : ev.records) {
      if (r.record.type != "dry-run") continue;
      const json& p = r.record.payload;
      if (p.value("result", "") != "succeeded") continue;
      if (!p.contains("file") || p["file"].value("sha256", "") != in.file_sha256) continue;
      const json& target = p.value("target", json::object());
      const bool right_place = need.on_target ? target.value("name", "") == *need.on_target
                                              : same_database(target, in.identity);
      if (!right_place) continue;
      if (in.now - r.record.unix_time > need.max_age.count() / 1000) continue;
      found = &r;
    }
    if (found == nullptr) {
      out.missing.push_back(fmt::format(
          "a successful dry-run of this file (sha256 {}) on {} within the last {}: none in {} (run "
          "safedb dry-run)",
          in.file_sha256.substr(0, 16), where, util::format_duration(need.max_age), in.log_path));
    } else {
      out.evidence["dry_runs"].push_back(
          {{"seq", found->record.seq}, {"time", found->record.time}});
    }
  }
}

void check_backup(const GateInput& in, const Evidence& ev, GateResult& out) {
  const auto& need = in.requirements->backup;
  if (!need) return;
  // The latest verification of each backup of this database decides: a
  // backup that later failed verification (a file damaged since) no longer counts.
  std::map<std::string, const audit::ListedRecord*> latest;
  if (!ev.unusable) {
    for (const audit::ListedRecord& r : ev.records) {
      if (r.record.type != "backup-verified" && r.record.type != "backup-verify-failed") continue;
      const json& p = r.record.payload;
      if (!same_database(p.value("target", json::object()), in.identity)) continue;
      latest[p.value("backup_id", fmt::format("(seq {})", r.record.seq))] = &r;
    }
  }
  const audit::ListedRecord* found = nullptr;
  const audit::ListedRecord* newest_too_old = nullptr;
  auto taken = [](const audit::ListedRecord* r) {
    return r->record.payload.value("backup_unix_time", std::int64_t{0});
  };
  for (const auto& [id, r] : latest) {
    if (r->record.type != "backup-verified") continue;
    if (in.now - taken(r) > need->max_age.count() / 1000) {
      if (newest_too_old == nullptr || taken(r) > taken(newest_too_old)) newest_too_old = r;
      continue;
    }
    if (found == nullptr || taken(r) > taken(found)) found = r;
  }
  if (found == nullptr) {
    std::string why;
    if (ev.unusable) {
      why = *ev.unusable;
    } else if (newest_too_old != nullptr) {
      why = fmt::format(
          "the newest verified backup ({}) was taken {}, {} ago (safedb backup create, then "
          "safedb backup verify latest)",
          newest_too_old->record.payload.value("backup_id", "?"),
          newest_too_old->record.payload.value("backup_time", "?"),
          util::format_duration(util::Duration((in.now - taken(newest_too_old)) * 1000)));
    } else {
      why =
          "no verified backup of this database exists (safedb backup create, then safedb backup "
          "verify latest)";
    }
    out.missing.push_back(fmt::format(
        "a restore-verified backup of cluster {} database \"{}\" taken within the last {}: {}",
        in.identity.system_identifier, in.identity.database, util::format_duration(need->max_age),
        why));
  } else {
    out.evidence["backup"] = {{"seq", found->record.seq},
                              {"backup_id", found->record.payload.value("backup_id", "")}};
  }
}

std::set<std::string> consumed_requests(const Evidence& ev) {
  std::set<std::string> consumed;
  for (const audit::ListedRecord& r : ev.records) {
    if (r.record.type != "intent") continue;
    const json& p = r.record.payload;
    if (p.contains("plan") && p["plan"].is_object())
      consumed.insert(p["plan"].value("request_id", ""));
  }
  return consumed;
}

void check_approvals(const GateInput& in, const Evidence& ev, GateResult& out) {
  const auto& need = in.requirements->approvals;
  if (!need) return;
  if (!in.plan_path) {
    out.missing.push_back(
        fmt::format("{} approval{} of a plan for this change (safedb plan, then safedb approve; "
                    "run with --plan and --approval)",
                    need->min, need->min == 1 ? "" : "s"));
    return;
  }
  if (ev.unusable) {
    out.missing.push_back(fmt::format("approvals cannot be checked for reuse: {}", *ev.unusable));
    return;
  }
  std::optional<std::string> plan_bytes = read_file(*in.plan_path);
  if (!plan_bytes) {
    out.missing.push_back(fmt::format("plan {}: cannot read it", *in.plan_path));
    return;
  }
  std::vector<approval::SignatureFile> approvals;
  for (const std::string& path : in.approval_paths) {
    if (std::optional<std::string> text = read_file(path)) {
      approvals.push_back({path, *text});
    } else {
      out.missing.push_back(fmt::format("approval {}: cannot read it", path));
    }
  }
  approval::ApprovalRule rule;
  rule.min = need->min;
  rule.accepts = [need](std::string_view who) { return need->accepts(who); };
  for (const auto& list : need->principal_patterns) {
    for (const policy::Glob& g : list)
      rule.patterns += (rule.patterns.empty() ? "" : ", ") + g.text();
  }
  rule.exclude_requester = need->exclude_requester;
  rule.exclude_executor = need->exclude_executor;
  approval::RequestCheck check = approval::check_request(
      *in.plan_path, *plan_bytes, read_file(approval::requester_signature_path(*in.plan_path)),
      approvals,
      {in.file_sha256, in.identity.system_identifier, in.identity.database, in.policy_digest},
      *in.signers, in.executor, consumed_requests(ev), rule, in.now);
  for (std::string& p : check.problems)
    out.missing.push_back(std::move(p));
  if (check.plan) {
    json signed_by = json::array();
    for (const approval::CountedApproval& a : check.approvals) {
      signed_by.push_back(
          {{"principal", a.principal}, {"key", a.key}, {"sig_sha256", a.sig_sha256}});
    }
    out.evidence["plan"] = {{"request_id", check.plan->request_id},
                            {"sha256", check.plan_sha256},
                            {"requester", check.plan->requester_principal},
                            {"approvals", signed_by}};
  }
}

}  // namespace

GateResult check_gates(const GateInput& in) {
  GateResult out;
  const policy::Requirements& req = *in.requirements;

  // Denials are never lifted.
  for (const policy::Denial& d : req.denials) {
    out.missing.push_back(fmt::format("statement #{} (line {}) is denied by {} rule {}: {}",
                                      d.statement, d.line, d.rule.file, d.rule.rule, d.message));
  }

  // Break-glass lifts the SOP gates, loudly, where a policy allows it for this person.
  if (in.break_glass_reason) {
    if (!req.break_glass) {
      out.missing.push_back("--break-glass: no policy that applies here allows break-glass");
    } else if (!req.break_glass->accepts(in.executor)) {
      out.missing.push_back(fmt::format("--break-glass: {} may not break glass here", in.executor));
    } else {
      out.break_glass = true;
      out.evidence["break_glass"] = {{"principal", in.executor},
                                     {"reason", *in.break_glass_reason}};
    }
  }

  if (!out.break_glass) {
    for (std::string& problem : policy::check_window(req, in.now))
      out.missing.push_back(std::move(problem));
    const bool needs_log = !req.dry_runs.empty() || req.backup || req.approvals;
    const Evidence evidence = needs_log ? read_evidence(in) : Evidence{};
    check_dry_runs(in, evidence, out);
    check_backup(in, evidence, out);
    check_approvals(in, evidence, out);
  }

  // Snapshots are taken during the run; what they cannot capture is known now.
  if (req.snapshot && in.analysis != nullptr) {
    if (!in.single_transaction) {
      out.missing.push_back(
          "a pre-change snapshot is taken in the run's transaction: run without "
          "--per-statement");
    }
    for (int i : req.snapshot->statements) {
      const sql::Statement& st = in.analysis->statements[static_cast<std::size_t>(i)];
      const std::string why = snapshot::unsnapshottable(st);
      if (why.empty()) continue;
      out.missing.push_back(fmt::format(
          "a pre-change snapshot of statement #{} (line {}): {}; it cannot be snapshotted, so "
          "take a restore-verified backup and run it under a policy without the snapshot "
          "requirement",
          i, st.position.line, why));
    }
  }
  return out;
}

}  // namespace safedb::gates
