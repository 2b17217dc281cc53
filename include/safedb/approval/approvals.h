#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "safedb/approval/plan.h"
#include "safedb/crypto/allowed_signers.h"

namespace safedb::approval {

// What a run must match for its plan to count.
struct Expectation {
  std::string file_sha256;
  std::string system_identifier;
  std::string database;
  std::string policy_digest;
};

// What the policies require of approvals (the strictest combination).
struct ApprovalRule {
  int min = 0;
  // Whether a principal may approve (the policies' patterns); unset: anyone.
  std::function<bool(std::string_view)> accepts;
  std::string patterns;  // the patterns in words, for messages
  bool exclude_requester = true;
  bool exclude_executor = true;
};

// A signature file given with --approval, and its text.
struct SignatureFile {
  std::string path;
  std::string text;
};

struct CountedApproval {
  std::string principal;
  std::string key;         // fingerprint
  std::string sig_sha256;  // hex SHA-256 of the signature file as given
  std::string path;
};

struct RequestCheck {
  std::optional<Plan> plan;
  std::string plan_sha256;                 // hex SHA-256 of the plan's bytes
  std::vector<CountedApproval> approvals;  // distinct principals that count
  std::vector<std::string> problems;       // one line each; empty: the request is good
};

// Checks a change request for a run: the requester's signature over the exact
// plan bytes, the plan's validity window at `now`, that it is for this file,
// this database and these policies, that its request id is not in `consumed`,
// and every approval: signature in the "safedb-approval" namespace over the
// same bytes, key in allowed_signers under exactly one plain principal and
// valid at `now`, not the requester or executor when the rule excludes them,
// matching the rule's principal patterns; distinct principals are counted
// against `rule.min`. Every problem is reported, one line each.
RequestCheck check_request(const std::string& plan_path, const std::string& plan_bytes,
                           const std::optional<std::string>& requester_signature,
                           const std::vector<SignatureFile>& approvals, const Expectation& expected,
                           const crypto::AllowedSigners& signers, const std::string& executor,
                           const std::set<std::string>& consumed, const ApprovalRule& rule,
                           std::int64_t now);

// Where `safedb plan` writes the requester's signature next to PLAN.
std::string requester_signature_path(const std::string& plan_path);

}  // namespace safedb::approval
