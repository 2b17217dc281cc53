#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "safedb/config/config.h"
#include "safedb/crypto/keys.h"
#include "safedb/crypto/sshsig.h"

namespace safedb::cli {
namespace {

namespace fs = std::filesystem;

struct DefaultPolicy {
  const char* name;
  const char* text;
};
// The policies/ folder of the source tree, embedded at build time.
constexpr DefaultPolicy kDefaultPolicies[] = {
#define SAFEDB_POLICY(name, text) {name, text},
#include "default_policies.inc"
#undef SAFEDB_POLICY
    {nullptr, nullptr},
};

struct InitOptions {
  std::string dir = ".";
  std::string principal;
};

std::string default_principal() {
  const char* user = std::getenv("USER");
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}@{}", user && *user ? user : "operator", host);
}

// Writes `path` unless it exists; says what it did.
Status write_new(const fs::path& path, const std::string& text, std::string& said) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    said += fmt::format("  kept     {} (exists)\n", path.string());
    return {};
  }
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Error::usage(fmt::format("{}: cannot write", path.string()));
  said += fmt::format("  wrote    {}\n", path.string());
  return {};
}

Result<ExitCode> run_init(const InitOptions& options) {
  const fs::path root = options.dir;
  const std::string principal = options.principal.empty() ? default_principal() : options.principal;
  std::string said;
  const fs::path config = root / "safedb.json";
  const std::string key_rel = ".safedb/keys/id_ed25519";
  const fs::path key_path = root / key_rel;

  std::error_code ec;
  std::optional<crypto::PublicKey> public_key;
  if (fs::exists(config, ec)) {
    said += fmt::format("  kept     {} (exists; its signing key is left as configured)\n",
                        config.string());
  } else {
    if (fs::exists(key_path, ec)) {
      Result<crypto::PrivateKey> existing = crypto::PrivateKey::load(key_path.string());
      if (!existing) return existing.error();
      public_key = existing->public_key();
      said += fmt::format("  kept     {} (exists)\n", key_path.string());
    } else {
      fs::create_directories(key_path.parent_path(), ec);
      crypto::PrivateKey key = crypto::PrivateKey::generate();
      if (Status s = key.write_openssh(key_path.string(), principal); !s) return s.error();
      public_key = key.public_key();
      said +=
          fmt::format("  wrote    {} and .pub (signing key of {})\n", key_path.string(), principal);
    }
    if (Status s = write_new(config, config::default_file_text(key_rel, principal), said); !s)
      return s.error();
  }
  if (public_key) {
    const std::string line =
        fmt::format("{} namespaces=\"{},{}\" {}\n", principal, crypto::kAuditNamespace,
                    crypto::kApprovalNamespace, public_key->openssh());
    if (Status s = write_new(root / ".safedb/allowed_signers", line, said); !s) return s.error();
  }
  for (const DefaultPolicy* p = kDefaultPolicies; p->name != nullptr; ++p) {
    if (Status s = write_new(root / "policies" / p->name, p->text, said); !s) return s.error();
  }
  std::fprintf(
      stdout,
      "safedb init:\n%s"
      "Next: add your targets to safedb.json, review policies/, and keep .safedb/keys private.\n"
      "Auditors verify with .safedb/allowed_signers: keep a copy where operators cannot change "
      "it.\n",
      said.c_str());
  return ExitCode::ok;
}

}  // namespace

Handler setup_init(CLI::App& sub) {
  auto options = std::make_shared<InitOptions>();
  sub.add_option("--dir", options->dir, "Where to set up (default: the current directory)");
  sub.add_option("--principal", options->principal,
                 "Who the new signing key belongs to (default: USER@host)");
  return [options](Context&) { return run_init(*options); };
}

}  // namespace safedb::cli
