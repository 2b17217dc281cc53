#pragma once

// OpenSSH's private key file format, "openssh-key-v1" (PROTOCOL.key):
//   "openssh-key-v1\0" string cipher, string kdf, string kdf-options,
//   uint32 N (=1), string public-key, string private-section
// armoured as "OPENSSH PRIVATE KEY". The private section (encrypted unless
// cipher is "none") holds uint32 check, uint32 check (equal), the key
// (string "ssh-ed25519", string public(32), string seed||public(64)),
// string comment, and padding 1, 2, 3... to a multiple of 8 bytes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "safedb/util/result.h"

namespace safedb::crypto {

inline constexpr std::string_view kOpensshKeyLabel = "OPENSSH PRIVATE KEY";

struct OpensshKeyFile {
  std::string cipher;                     // "none" when not encrypted
  std::string public_type;                // type of the public key, e.g. "ssh-ed25519"
  std::vector<std::uint8_t> public_blob;  // the public key, wire encoded
  std::optional<ed25519::Seed> seed;      // set for unencrypted ssh-ed25519 keys
  std::string comment;                    // only known when not encrypted

  OpensshKeyFile() = default;
  OpensshKeyFile(const OpensshKeyFile&) = delete;
  OpensshKeyFile& operator=(const OpensshKeyFile&) = delete;
  OpensshKeyFile(OpensshKeyFile&&) = default;
  OpensshKeyFile& operator=(OpensshKeyFile&&) = default;
  ~OpensshKeyFile();
};

// Parses the armoured file text. Encrypted keys and keys of other types
// parse (without `seed`) so that the caller can delegate them.
Result<OpensshKeyFile> parse_openssh_key(std::string_view text);

// The armoured file text of an unencrypted ssh-ed25519 key.
std::string format_openssh_key(const ed25519::Seed& seed, const ed25519::Public& public_key,
                               std::string_view comment);

}  // namespace safedb::crypto
