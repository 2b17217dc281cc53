#include "safedb/approval/approvals.h"

#include <fmt/format.h>

#include <map>

#include "safedb/crypto/hash.h"
#include "safedb/crypto/sshsig.h"

namespace safedb::approval {
namespace {

// The single plain principal allowed_signers gives `key` in the approval
// namespace at `now`, or why there is none.
Result<std::string> principal_of(const crypto::PublicKey& key,
                                 const crypto::AllowedSigners& signers, std::int64_t now) {
  auto principals = signers.principals_for(key, crypto::kApprovalNamespace, now);
  if (!principals) return principals.error();
  if (principals->size() != 1) {
    std::string names;
    for (const std::string& p : *principals)
      names += (names.empty() ? "" : ", ") + p;
    return Error::usage(
        fmt::format("key {} is listed under several principals ({}); it cannot say who approved",
                    key.fingerprint(), names));
  }
  const std::string& p = principals->front();
  if (p.find_first_of("*?") != std::string::npos) {
    return Error::usage(fmt::format("key {} is listed only under the pattern {}, not a principal",
                                    key.fingerprint(), p));
  }
  return p;
}

}  // namespace

std::string requester_signature_path(const std::string& plan_path) {
  return plan_path + ".requester.sig";
}

RequestCheck check_request(const std::string& plan_path, const std::string& plan_bytes,
                           const std::optional<std::string>& requester_signature,
                           const std::vector<SignatureFile>& approvals, const Expectation& expected,
                           const crypto::AllowedSigners& signers, const std::string& executor,
                           const std::set<std::string>& consumed, const ApprovalRule& rule,
                           std::int64_t now) {
  RequestCheck check;
  auto problem = [&](std::string line) { check.problems.push_back(std::move(line)); };
  check.plan_sha256 = crypto::to_hex(crypto::sha256(plan_bytes));

  // The plan itself: signed by its requester, unchanged, still valid, for this change.
  Result<Plan> plan = parse_plan(plan_bytes);
  if (!plan) {
    problem(fmt::format("plan {}: {}", plan_path, plan.error().message()));
    return check;
  }
  check.plan = *plan;
  std::string requester;
  if (!requester_signature) {
    problem(fmt::format("plan {}: no requester signature ({})", plan_path,
                        requester_signature_path(plan_path)));
  } else if (Result<crypto::PublicKey> key =
                 crypto::verify(*requester_signature, plan_bytes, crypto::kApprovalNamespace);
             !key) {
    problem(fmt::format(
        "plan {}: the requester's signature does not verify: the plan was changed or the "
        "signature is not for it ({})",
        plan_path, key.error().message()));
  } else if (key->fingerprint() != plan->requester_key) {
    problem(fmt::format("plan {}: signed by {}, but it names {} as the requester's key", plan_path,
                        key->fingerprint(), plan->requester_key));
  } else if (Result<std::string> who = principal_of(*key, signers, now); !who) {
    problem(fmt::format("plan {}: requester: {}", plan_path, who.error().message()));
  } else if (*who != plan->requester_principal) {
    problem(fmt::format("plan {}: the requester's key belongs to {}, not {}", plan_path, *who,
                        plan->requester_principal));
  } else {
    requester = *who;
  }
  if (now < plan->created_unix)
    problem(fmt::format("plan {}: not valid before {}", plan_path, plan->created));
  if (now >= plan->expires_unix)
    problem(fmt::format("plan {}: expired at {}", plan_path, plan->expires));
  if (plan->file_sha256 != expected.file_sha256) {
    problem(fmt::format(
        "plan {}: it approves file sha256 {}, but this file is {}: the SQL changed after the plan",
        plan_path, plan->file_sha256.substr(0, 16), expected.file_sha256.substr(0, 16)));
  }
  if (plan->system_identifier != expected.system_identifier ||
      plan->database != expected.database) {
    problem(
        fmt::format("plan {}: it is for cluster {} database \"{}\", but this run targets cluster "
                    "{} database \"{}\"",
                    plan_path, plan->system_identifier, plan->database, expected.system_identifier,
                    expected.database));
  }
  if (plan->policy_digest != expected.policy_digest) {
    problem(fmt::format("plan {}: it was made under other policies (digest {}; now {})", plan_path,
                        plan->policy_digest.substr(0, 16), expected.policy_digest.substr(0, 16)));
  }
  if (consumed.count(plan->request_id)) {
    problem(fmt::format("plan {}: request {} was already used by an earlier run; make a new plan",
                        plan_path, plan->request_id));
  }

  // The approvals: who signed these exact bytes, counted once per principal.
  std::map<std::string, CountedApproval> counted;
  for (const SignatureFile& sig : approvals) {
    Result<crypto::PublicKey> key =
        crypto::verify(sig.text, plan_bytes, crypto::kApprovalNamespace);
    if (!key) {
      problem(fmt::format("approval {}: {}", sig.path, key.error().message()));
      continue;
    }
    Result<std::string> who = principal_of(*key, signers, now);
    if (!who) {
      problem(fmt::format("approval {}: {}", sig.path, who.error().message()));
      continue;
    }
    if (rule.exclude_requester && *who == plan->requester_principal) {
      problem(fmt::format("approval {}: {} requested this change and cannot also approve it",
                          sig.path, *who));
      continue;
    }
    if (rule.exclude_executor && *who == executor) {
      problem(fmt::format("approval {}: {} runs this change and cannot also approve it", sig.path,
                          *who));
      continue;
    }
    if (rule.accepts && !rule.accepts(*who)) {
      problem(fmt::format("approval {}: {} is not among the approvers the policies name ({})",
                          sig.path, *who, rule.patterns));
      continue;
    }
    if (counted.count(*who)) continue;  // the same person twice counts once
    counted[*who] = CountedApproval{*who, key->fingerprint(),
                                    crypto::to_hex(crypto::sha256(sig.text)), sig.path};
  }
  for (auto& [who, approval] : counted)
    check.approvals.push_back(approval);
  if (static_cast<int>(check.approvals.size()) < rule.min) {
    std::string names;
    for (const CountedApproval& a : check.approvals)
      names += (names.empty() ? "" : ", ") + a.principal;
    problem(fmt::format("approvals: {} of {} required{}", check.approvals.size(), rule.min,
                        names.empty() ? "" : " (counted: " + names + ")"));
  }
  return check;
}

}  // namespace safedb::approval
