#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "safedb/crypto/keys.h"
#include "safedb/crypto/sshsig.h"

namespace safedb::cli {
namespace {

struct KeysGenerateOptions {
  std::string out;
  std::string principal;
  std::string comment;  // empty: the principal
};

// A principal goes unquoted into an allowed_signers line: no blanks, quotes
// or control characters, and not where a comment would start.
Status check_principal(const std::string& principal) {
  if (principal.empty()) return Error::usage("--principal must not be empty");
  for (char c : principal) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '"') {
      return Error::usage(fmt::format(
          "--principal '{}' must not contain spaces, quotes or control characters", principal));
    }
  }
  if (principal.front() == '#') return Error::usage("--principal must not start with '#'");
  return {};
}

Result<ExitCode> run_keys_generate(const KeysGenerateOptions& options) {
  Status principal = check_principal(options.principal);
  if (!principal) return principal.error();
  std::string comment = options.comment.empty() ? options.principal : options.comment;

  crypto::PrivateKey key = crypto::PrivateKey::generate();
  Status written = key.write_openssh(options.out, comment);
  if (!written) return written.error();

  std::fprintf(stderr,
               "safedb: wrote the private key %s (keep it secret) and the public key %s.pub\n"
               "safedb: key fingerprint %s\n"
               "safedb: add this line to the allowed_signers file:\n",
               options.out.c_str(), options.out.c_str(), key.public_key().fingerprint().c_str());
  std::string line =
      fmt::format("{} namespaces=\"{},{}\" {}\n", options.principal, crypto::kAuditNamespace,
                  crypto::kApprovalNamespace, key.public_key().openssh());
  std::fwrite(line.data(), 1, line.size(), stdout);
  return ExitCode::ok;
}

}  // namespace

Handler setup_keys(CLI::App& sub) {
  sub.require_subcommand(1);
  CLI::App* generate = sub.add_subcommand(
      "generate", "Create an Ed25519 signing key pair and print its allowed_signers line");
  auto options = std::make_shared<KeysGenerateOptions>();
  generate
      ->add_option("--out", options->out, "Private key file to create (mode 0600; PATH.pub too)")
      ->required();
  generate
      ->add_option("--principal", options->principal, "Who signs with it, e.g. alice@example.com")
      ->required();
  generate->add_option("--comment", options->comment, "Key comment (default: the principal)");
  return [options, generate](Context&) -> Result<ExitCode> {
    if (generate->parsed()) return run_keys_generate(*options);
    return Error::usage("keys: a subcommand is required (generate)");
  };
}

}  // namespace safedb::cli
