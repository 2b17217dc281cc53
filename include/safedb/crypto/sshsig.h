#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/crypto/keys.h"
#include "safedb/util/result.h"

namespace safedb::crypto {

// SSHSIG namespaces. A signature made in one never verifies in another.
inline constexpr std::string_view kAuditNamespace = "safedb-audit";
inline constexpr std::string_view kApprovalNamespace = "safedb-approval";

// An OpenSSH SSHSIG signature (PROTOCOL.sshsig): the format of
// `ssh-keygen -Y sign`, used by git for commit signing.
struct Signature {
  std::vector<std::uint8_t> blob;  // the binary SSHSIG structure
  // "-----BEGIN SSH SIGNATURE-----" armour, 70-column lines, as ssh-keygen writes.
  std::string armored() const;
  // One-line base64 of `blob`, for JSON records.
  std::string base64() const;
};

// Signs `message` in namespace `ns` (hash sha512, as ssh-keygen does):
// natively for native keys, through `ssh-keygen -Y sign` for delegated ones.
Result<Signature> sign(const PrivateKey& key, std::string_view message, std::string_view ns);

// Verifies an SSHSIG given armoured or as one-line base64 over `message` in
// namespace `ns` and returns the key that made it. Always native. Rejects, with
// a message saying which: bad armour or base64, wrong magic or version,
// another namespace, a hash other than sha256/sha512, a key type other than
// ssh-ed25519, a signature type that does not match the key, trailing bytes,
// and a signature that does not verify.
Result<PublicKey> verify(std::string_view signature, std::string_view message, std::string_view ns);

}  // namespace safedb::crypto
