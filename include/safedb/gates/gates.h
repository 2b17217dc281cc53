#pragma once

#include <nlohmann/json.hpp>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/keys.h"
#include "safedb/db/target_identity.h"
#include "safedb/exec/target.h"
#include "safedb/policy/requirements.h"
#include "safedb/sql/analysis.h"

namespace safedb::gates {

// What a run brings to its gates.
struct GateInput {
  const policy::Requirements* requirements = nullptr;  // REQUIRES: not null
  std::string policy_digest;                           // hex, of the policy folder in force
  std::string file_sha256;
  exec::TargetSpec target;
  db::TargetIdentity identity;
  std::string log_path;
  const crypto::AllowedSigners* signers = nullptr;  // trust for evidence in the log and approvals
  std::string executor;                             // principal signing this run's records
  const crypto::PrivateKey* mark_key = nullptr;  // signs the log's verified mark; none: not written
  std::optional<std::string> plan_path;
  std::vector<std::string> approval_paths;
  std::optional<std::string> break_glass_reason;
  std::time_t now = 0;
  const sql::FileAnalysis* analysis = nullptr;  // for the snapshot requirement
  bool single_transaction = true;               // snapshots need one transaction
};

struct GateResult {
  std::vector<std::string> missing;  // every unmet requirement, one line each; empty: may run
  nlohmann::json evidence =
      nlohmann::json::object();  // what satisfied the gates, for the intent record
  bool break_glass = false;      // requirements were lifted by break-glass
};

// Checks every requirement that can be checked before a run: denials, the
// maintenance windows, a successful dry-run of this file on this database
// (or the named rehearsal target) recent enough, a verified backup recent
// enough, approvals of a plan bound to this change, and that every statement
// to snapshot can be (the snapshot itself is taken while the run executes). Evidence comes only
// from an audit log that verifies against `signers` (incomplete runs
// aside). Break-glass, where a policy allows it for the executor, lifts the
// dry-run, backup, approval and window requirements, never a denial.
// All problems are collected before the result is returned.
GateResult check_gates(const GateInput& input);

}  // namespace safedb::gates
