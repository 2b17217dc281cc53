#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/crypto/keys.h"
#include "safedb/util/result.h"

namespace safedb::crypto {

// One line of an OpenSSH allowed_signers file (ssh-keygen(1), ALLOWED SIGNERS):
//   principals [options] keytype base64key [comment]
// principals: comma-separated, may contain '*' and '?' wildcards (matched
// against the principal a verifier asks about). Options honoured:
// namespaces="a,b", valid-after=, valid-before= (YYYYMMDD[HHMM[SS]][Z], UTC
// with Z, otherwise local time as ssh-keygen does). cert-authority lines are
// kept but never match a plain key. As in ssh-keygen, option values must be
// double-quoted and option names are case-insensitive. Lines whose key is of
// another type (ssh-rsa, ecdsa-..., sk-...) are skipped: they can never match
// an Ed25519 key.
struct AllowedSigner {
  std::vector<std::string> principals;
  PublicKey key;
  std::vector<std::string> namespaces;       // empty: every namespace
  std::optional<std::int64_t> valid_after;   // unix seconds
  std::optional<std::int64_t> valid_before;  // unix seconds
  bool cert_authority = false;
  int line = 0;
};

class AllowedSigners {
 public:
  // Errors name the file and line of the first malformed entry (all of them,
  // one per line of the message, when several are malformed).
  static Result<AllowedSigners> load(const std::string& path);
  static Result<AllowedSigners> parse(std::string_view text, const std::string& name);

  // The principals for which `key` may sign in namespace `ns` at unix time `when`.
  // Fails with a plain-words reason when none: the key is unknown (naming its
  // fingerprint), not allowed in `ns`, or outside its validity window.
  Result<std::vector<std::string>> principals_for(const PublicKey& key, std::string_view ns,
                                                  std::int64_t when) const;

  const std::vector<AllowedSigner>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  // The file name given to load() or parse(), for messages.
  const std::string& name() const { return name_; }
  // SHA-256 (hex) of the text parsed: any change to the trust anchors changes
  // it. Computed on demand, so that parsing never needs libcrypto.
  std::string digest() const;

 private:
  std::vector<AllowedSigner> entries_;
  std::string name_;
  std::string text_;
};

// Whether `name` matches an OpenSSH pattern-list (ssh_config(5) PATTERNS) given
// as its comma-separated elements: '*' and '?' wildcards, case-sensitive; an
// element starting with '!' that matches makes the whole list fail. This is
// how principals (against a principal asked about) and namespaces= are matched.
bool matches_pattern_list(const std::vector<std::string>& patterns, std::string_view name);

}  // namespace safedb::crypto
