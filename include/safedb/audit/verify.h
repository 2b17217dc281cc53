#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "safedb/audit/checkpoint.h"
#include "safedb/audit/listing.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/hash.h"
#include "safedb/crypto/keys.h"
#include "safedb/util/result.h"

namespace safedb::audit {

struct VerifyOptions {
  std::string log_path;
  std::optional<std::string> witness_path;  // checkpoints kept apart from the log
  unsigned threads = 0;                     // signature checks in parallel; 0: one per core
  // The first `vouched_lines` lines were verified before and are byte for
  // byte what a verified mark vouches for (audit/verified_mark.h): their
  // record signatures are not checked again; every other check still runs
  // over the whole log. 0 (auditors' verify): every signature is checked.
  std::uint64_t vouched_lines = 0;
  // Called with every line that parsed as a record, in log order, once verify
  // is done with it; unset: the records are dropped as verify goes.
  std::function<void(std::size_t line, Record&& record)> on_record = nullptr;
};

// One problem verify found, in words an auditor can act on.
struct Finding {
  enum class File { log, witness };
  File file = File::log;
  std::size_t line = 0;              // 1-based line of that file; 0: the file as a whole
  std::optional<std::uint64_t> seq;  // seq of the record concerned, when known
  std::string check;                 // stable short name: "chain", "signature", "fork", …
  std::string message;
};

struct VerifyReport {
  std::string log_path;
  std::optional<std::string> witness_path;
  std::string origin;                           // from the log-start record; empty if unreadable
  std::uint64_t records = 0;                    // complete lines in the log
  std::uint64_t signatures_verified = 0;        // records signed by their actor's trusted key
  std::uint64_t signatures_vouched = 0;         // of those, vouched for by a verified mark
  std::uint64_t bytes = 0;                      // of the complete lines
  crypto::Digest sha256{};                      // SHA-256 of those bytes
  std::uint64_t checkpoints = 0;                // checkpoint records in the log
  std::uint64_t witness_checkpoints = 0;        // witness checkpoints that match the log
  std::optional<Checkpoint> latest_checkpoint;  // the last checkpoint record that matched
  std::vector<Finding> findings;                // ordered by file, then line
  double seconds = 0;                           // wall-clock time verify took
  bool intact() const { return findings.empty(); }
};

// Verifies the whole log, and the witness file if given, against the trust
// anchors (docs/audit-log-format.md lists every check). Problems in the files
// are findings; an Error means verification could not be done (unreadable
// file, no log and no witness).
// REQUIRES: `signers` is not empty (the caller refuses to verify without trust).
Result<VerifyReport> verify_log(const VerifyOptions& options,
                                const crypto::AllowedSigners& signers);

// The log's records when it can serve as evidence (dry-runs, backups,
// snapshots, consumed approvals): it verifies against `signers`, apart from
// runs left incomplete by a crash. A missing or empty log has no records.
// Otherwise fails (exit status "no") with one line naming the first problem,
// e.g. "the audit log L does not verify (signature at line 3); run safedb
// audit verify".
//
// With `mark_key` (a native key whose principal allowed_signers lists), the
// verification is remembered in a signed verified mark next to the log, and
// a valid mark spares the next call the signatures it vouches for
// (audit/verified_mark.h). Without it no mark is written, and an existing
// one is still used.
Result<std::vector<ListedRecord>> trusted_records(const std::string& log_path,
                                                  const crypto::AllowedSigners& signers,
                                                  const crypto::PrivateKey* mark_key = nullptr);

std::string render_text(const VerifyReport& report);
nlohmann::json to_json(const VerifyReport& report);

}  // namespace safedb::audit
