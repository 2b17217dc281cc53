#pragma once

// The verified mark: a signed note next to the log saying "these first bytes
// of the log verified, under these trust anchors", so that reading the log as
// evidence (gates, restore) need not check every old signature again on
// every run. Format and rules: docs/audit-log-format.md, "The verified mark".
// `safedb audit verify` never uses it: an auditor checks everything.

#include <cstdint>
#include <string>

#include "safedb/audit/verify.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/keys.h"

namespace safedb::audit {

// Where the mark of `log_path` lives: `log_path` + ".verified".
std::string mark_path(const std::string& log_path);

// How many leading lines of the log the mark vouches for: its signature is
// by a key allowed_signers lists now, it was made under the same
// allowed_signers text, and the log's first bytes are still the ones it
// names (SHA-256). 0 when there is no mark or any of this fails; a mark is
// never an error, only a saving.
std::uint64_t vouched_lines(const std::string& log_path, const crypto::AllowedSigners& signers);

// Writes the mark for what `report` verified (every complete line of the
// log), signed by `key`. REQUIRES: the report has no finding that would make
// the log untrusted. Best effort: a delegated key (it would run ssh-keygen)
// or a failed write leaves the old mark, or none.
void write_mark(const VerifyReport& report, const crypto::AllowedSigners& signers,
                const crypto::PrivateKey& key);

}  // namespace safedb::audit
