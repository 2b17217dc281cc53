#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "safedb/crypto/keys.h"
#include "safedb/crypto/sshsig.h"
#include "safedb/util/result.h"

namespace safedb::audit {

// One audit record is one line of the log (docs/audit-log-format.md):
//   {"v":1,"seq":N,"time":"…Z","type":"…","actor":"…","key":"SHA256:…",
//    "prev":"<hex SHA-256 of the previous line>","payload":{…},"sig":"<base64 SSHSIG>"}
// The signature covers the line without its last member, i.e. the exact bytes
// `sed -E 's/,"sig":"[^"]*"}$/}/'` prints, in the SSHSIG namespace "safedb-audit".

inline constexpr int kFormatVersion = 1;
inline constexpr std::string_view kNamespace = crypto::kAuditNamespace;
// Longest line accepted (writer and reader alike), newline excluded.
inline constexpr std::size_t kMaxLineBytes = 1 << 20;
// `prev` of record 0.
inline constexpr std::string_view kZeroHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The record types safedb writes. Other lower-case types are allowed for
// later features; these have payload rules verify enforces.
namespace types {
inline constexpr std::string_view log_start = "log-start";  // seq 0 only: {"log_id"}
inline constexpr std::string_view intent = "intent";        // {"run_id", …}
inline constexpr std::string_view outcome = "outcome";      // {"run_id", …}
inline constexpr std::string_view dry_run = "dry-run";
inline constexpr std::string_view backup_created = "backup-created";
inline constexpr std::string_view backup_verified = "backup-verified";
inline constexpr std::string_view backup_verify_failed = "backup-verify-failed";
inline constexpr std::string_view checkpoint = "checkpoint";  // {"origin","size","root"[,"note"]}
inline constexpr std::string_view repair = "repair";          // a torn tail was cut off
}  // namespace types

struct Record {
  int version = kFormatVersion;
  std::uint64_t seq = 0;
  std::string time;  // "YYYY-MM-DDTHH:MM:SSZ" (UTC)
  std::int64_t unix_time = 0;
  std::string type;
  std::string actor;  // the signer's principal, as in allowed_signers
  std::string key;    // the signing key's fingerprint, "SHA256:…"
  std::string prev;   // lower-case hex SHA-256 of the previous line (kZeroHash for seq 0)
  nlohmann::json payload = nlohmann::json::object();
  std::string sig;  // base64 SSHSIG blob; empty in a draft
};

// The exact bytes `line`'s signature covers and the signature itself. Fails
// when the line does not end with a `,"sig":"<base64>"}` member.
struct SignedLine {
  std::string body;
  std::string_view sig;
};
Result<SignedLine> split_signature(std::string_view line);

// Parses one stored line (without its newline). Rejects control characters,
// invalid UTF-8, duplicate keys, missing, extra or mistyped fields, and type
// rules that need no context (see docs). Does not check the signature.
Result<Record> parse_record(std::string_view line);

// Checks the payload rules of `type` (run_id for intent and outcome, …).
Status check_payload(std::string_view type, const nlohmann::json& payload);
// Lower-case letters, digits and '-', starting with a letter, at most 64 bytes.
bool valid_type_name(std::string_view type);
// Non-empty printable UTF-8 without white space, commas, quotes or wildcards.
bool valid_principal(std::string_view principal);

// Serialises `draft` (its `sig` and `unix_time` ignored) and signs it with
// `key`: the complete line, without newline.
Result<std::string> sign_record(const Record& draft, const crypto::PrivateKey& key);

// Lower-case hex SHA-256 of a stored line, the next record's `prev`.
std::string line_hash_hex(std::string_view line);

}  // namespace safedb::audit
