#pragma once

#include <nlohmann/json.hpp>

#include "safedb/exec/guarded_run.h"

namespace safedb::exec {

// Payloads of the audit records a run writes (docs/audit-log-format.md):
// `intent` before the first statement, `outcome` after the last, and
// `dry-run` for a rehearsal. All carry the run id, the file's SHA-256 and
// the target's identity, so gates can match them to a later run.
nlohmann::json intent_payload(const RunRequest& request, const RunResult& result);
nlohmann::json outcome_payload(const RunResult& result);
nlohmann::json dry_run_payload(const RunRequest& request, const RunResult& result);

// The shared parts, also used for reports.
nlohmann::json identity_json(const TargetSpec& target, const db::TargetIdentity& identity);
nlohmann::json steps_json(const RunResult& result);

}  // namespace safedb::exec
