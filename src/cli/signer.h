#pragma once

#include <optional>
#include <string>

#include "safedb/config/config.h"
#include "safedb/crypto/keys.h"
#include "safedb/util/result.h"

namespace safedb::cli {

// The key that signs this invocation's audit records and whose it is.
struct Signer {
  crypto::PrivateKey key;
  std::string principal;
};

// Loads the signing key (--key, else signing.key from safedb.json) and finds
// its principal (--principal, else signing.principal, else the one plain
// principal allowed_signers lists for the key). Without a key nothing that
// must be audited can run: the error says how to get one (safedb init).
Result<Signer> open_signer(const config::Config& config, const std::optional<std::string>& key_flag,
                           const std::optional<std::string>& principal_flag);

}  // namespace safedb::cli
