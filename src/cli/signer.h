#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "safedb/audit/log.h"
#include "safedb/config/config.h"
#include "safedb/crypto/keys.h"
#include "safedb/util/result.h"

namespace safedb::cli {

// Where an audited command reads its settings, who signs its records and
// where they go. Each unset option falls back to safedb.json.
struct SigningOptions {
  std::optional<std::string> config, key, principal, log, witness;
};

// Declares --config, --key, --principal, --log and --witness on `sub`.
void add_signing_options(CLI::App& sub, SigningOptions& options);

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

// Opens the audit log (--log, else audit.log from safedb.json) that
// `signer` appends to. The log keeps a pointer to signer.key: the signer
// must outlive it. A log that cannot be opened stops the command: nothing
// that must be audited runs without its log.
Result<audit::AuditLog> open_audit_log(const config::Config& config,
                                       const std::optional<std::string>& log_flag,
                                       const Signer& signer);

}  // namespace safedb::cli
