#include "audit/line_check.h"

#include <fmt/format.h>

#include "safedb/audit/checkpoint.h"
#include "safedb/audit/merkle.h"
#include "safedb/crypto/signed_note.h"
#include "safedb/crypto/sshsig.h"

namespace safedb::audit {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Checks that the note a checkpoint record carries is signed by the record's
// own key and states the same origin, size and root as the record.
std::string check_note(const Record& record, const crypto::PublicKey& key) {
  const nlohmann::json& payload = record.payload;
  if (!payload.contains("note")) return {};
  const std::string origin = payload["origin"].get<std::string>();
  auto text = crypto::verify_note(payload["note"].get<std::string>(), origin, key);
  if (!text) return fmt::format("its signed note does not verify: {}", text.error().message());
  const std::string expected =
      fmt::format("{}\n{}\n{}\n", origin, payload["size"].get<std::uint64_t>(),
                  payload["root"].get<std::string>());
  if (*text != expected)
    return "its signed note states another origin, size or root than the record";
  return {};
}

}  // namespace

LineCheck check_line(std::string_view line, const crypto::AllowedSigners& signers, bool vouched) {
  LineCheck check;
  check.line_hash = crypto::sha256(line);
  check.leaf = leaf_hash(line);
  auto record = parse_record(line);
  if (!record) {
    check.malformed = record.error().message();
    return check;
  }
  check.record = std::move(record).value();
  const Record& r = *check.record;
  if (vouched) {
    // Its signature, and a checkpoint's note, were verified before.
    check.signed_by_actor = true;
    return check;
  }

  auto split = split_signature(line);  // cannot fail: parse_record checked it
  auto key = crypto::verify(split->sig, split->body, kNamespace);
  if (!key) {
    check.signature_problem = fmt::format("the signature is invalid: {}", key.error().message());
    return check;
  }
  const std::string fingerprint = key->fingerprint();
  if (fingerprint != r.key) {
    check.signature_problem =
        fmt::format("signed by key {}, but the record names key {}", fingerprint, r.key);
    return check;
  }
  auto principals = signers.principals_for(*key, kNamespace, r.unix_time);
  if (!principals) {
    check.signature_problem = principals.error().message();
    return check;
  }
  if (!crypto::matches_pattern_list(*principals, r.actor)) {
    check.signature_problem =
        fmt::format("the record claims actor '{}', but allowed_signers gives key {} only to {}",
                    r.actor, fingerprint, join(*principals));
    return check;
  }
  check.signed_by_actor = true;
  if (r.type == types::checkpoint) check.note_problem = check_note(r, *key);
  return check;
}

}  // namespace safedb::audit
