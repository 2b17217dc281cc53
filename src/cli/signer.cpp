#include "cli/signer.h"

#include <fmt/format.h>

#include <ctime>

#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/sshsig.h"

namespace safedb::cli {

void add_signing_options(CLI::App& sub, SigningOptions& options) {
  sub.add_option("--config", options.config, "Configuration file (default: ./safedb.json)");
  sub.add_option("--key", options.key, "Signing key for the audit records (default: signing.key)");
  sub.add_option("--principal", options.principal,
                 "Who signs (default: signing.principal or allowed_signers)");
  sub.add_option("--log", options.log, "Audit log (default: audit.log)");
  sub.add_option("--witness", options.witness,
                 "Witness file for the closing checkpoint (default: audit.witness)");
}

Result<audit::AuditLog> open_audit_log(const config::Config& config,
                                       const std::optional<std::string>& log_flag,
                                       const Signer& signer) {
  Result<audit::AuditLog> log =
      audit::AuditLog::open(log_flag.value_or(config.audit_log), signer.key, signer.principal);
  if (!log)
    return Error::usage(
        fmt::format("cannot open the audit log, so nothing runs: {}", log.error().message()));
  return log;
}

Result<Signer> open_signer(const config::Config& config, const std::optional<std::string>& key_flag,
                           const std::optional<std::string>& principal_flag) {
  std::optional<std::string> path = key_flag ? key_flag : config.signing_key;
  if (!path) {
    return Error::usage(
        "no signing key: safedb signs every audit record; pass --key, set signing.key in "
        "safedb.json, "
        "or run `safedb init` to create one");
  }
  Result<crypto::PrivateKey> key = crypto::PrivateKey::load(*path);
  if (!key) return key.error();
  Signer signer{std::move(key).value(), {}};
  if (principal_flag) {
    signer.principal = *principal_flag;
  } else if (config.principal) {
    signer.principal = *config.principal;
  } else {
    Result<crypto::AllowedSigners> signers = crypto::AllowedSigners::load(config.allowed_signers);
    if (!signers) {
      return Error::usage(
          fmt::format("no principal for the signing key: pass --principal, set signing.principal, "
                      "or list the key in allowed_signers ({})",
                      signers.error().message()));
    }
    auto principals = signers->principals_for(signer.key.public_key(), crypto::kAuditNamespace,
                                              std::time(nullptr));
    if (!principals)
      return Error::usage(fmt::format("the signing key cannot sign audit records: {}",
                                      principals.error().message()));
    for (const std::string& p : *principals) {
      if (p.find_first_of("*?") == std::string::npos) {
        signer.principal = p;
        break;
      }
    }
    if (signer.principal.empty()) {
      return Error::usage(
          "allowed_signers lists the signing key only under wildcard principals; pass --principal");
    }
  }
  return signer;
}

}  // namespace safedb::cli
