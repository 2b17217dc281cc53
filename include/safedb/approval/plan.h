#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "safedb/util/result.h"

namespace safedb::approval {

// A change request (docs/approvals.md): what will run where, under which
// policies, asked for by whom, until when. Its exact bytes are signed by the
// requester (PLAN.json.requester.sig) and by each approver, in the SSHSIG
// namespace "safedb-approval", so an approval covers exactly this file on
// exactly this database under exactly these policies.
struct Plan {
  std::string request_id;  // "q-" + 32 hex digits, random
  std::string created;     // "YYYY-MM-DDTHH:MM:SSZ"
  std::string expires;
  std::int64_t created_unix = 0;
  std::int64_t expires_unix = 0;
  std::string requester_principal;
  std::string requester_key;  // "SHA256:..." fingerprint
  // Target identity.
  std::string target_name, environment, system_identifier, database, host;
  int port = 0;
  // The SQL file.
  std::string file_path, file_sha256;
  std::uint64_t file_size = 0;
  std::string policy_digest;
  std::vector<std::string> requirements;  // in plain words, for approvers
  nlohmann::json statements =
      nlohmann::json::array();  // index, line, kind, effects, objects, sql (when it has effects)
};

// The plan document's bytes (pretty JSON, newline-terminated). Written once;
// everything that checks a plan reads these bytes, never a re-serialisation.
std::string render_plan(const Plan& plan);

// Parses plan bytes; rejects unknown schema, missing or mistyped fields.
Result<Plan> parse_plan(std::string_view bytes);

// A new random request id.
std::string new_request_id();

}  // namespace safedb::approval
