// OpenSSH SSHSIG signatures (PROTOCOL.sshsig), Ed25519 keys only:
//   blob:   "SSHSIG" uint32 version(1) string publickey string namespace
//           string reserved string hash_algorithm string signature
//   signed: "SSHSIG" string namespace string reserved string hash_algorithm
//           string H(message)
// where signature is string "ssh-ed25519" string ed25519-signature(64).
#include "safedb/crypto/sshsig.h"

#include <fmt/format.h>

#include <algorithm>

#include "crypto/armor.h"
#include "crypto/digest.h"
#include "crypto/ed25519.h"
#include "crypto/ssh_wire.h"
#include "safedb/crypto/hash.h"
#include "safedb/util/process.h"

namespace safedb::crypto {
namespace {

constexpr std::string_view kMagic = "SSHSIG";
constexpr std::uint32_t kVersion = 1;
constexpr std::string_view kLabel = "SSH SIGNATURE";
constexpr std::string_view kKeyType = "ssh-ed25519";

Error rejected(std::string message) {
  return Error(ExitCode::no, std::move(message));
}

std::string bytes_count(std::size_t count) {
  return fmt::format("{} {}", count, count == 1 ? "byte" : "bytes");
}

std::vector<std::uint8_t> hash_message(std::string_view algorithm, std::string_view message) {
  std::span<const std::uint8_t> bytes = wire::as_bytes(message);
  if (algorithm == "sha256") {
    Digest digest = sha256(bytes);
    return {digest.begin(), digest.end()};
  }
  std::array<std::uint8_t, 64> digest = sha512(bytes);
  return {digest.begin(), digest.end()};
}

// The bytes the Ed25519 signature covers.
std::vector<std::uint8_t> signed_data(std::string_view ns, std::string_view algorithm,
                                      std::string_view message) {
  std::vector<std::uint8_t> out;
  wire::put_bytes(out, kMagic);
  wire::put_string(out, ns);
  wire::put_string(out, "");
  wire::put_string(out, algorithm);
  wire::put_string(out, hash_message(algorithm, message));
  return out;
}

Result<std::vector<std::uint8_t>> decode(std::string_view text) {
  while (!text.empty() &&
         std::string_view(" \t\r\n").find(text.front()) != std::string_view::npos) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::string_view(" \t\r\n").find(text.back()) != std::string_view::npos) {
    text.remove_suffix(1);
  }
  if (text.empty()) return rejected("the signature is empty");
  if (text.starts_with("-----")) {
    Result<std::vector<std::uint8_t>> blob = dearmor(text, kLabel);
    if (!blob)
      return rejected(fmt::format("the signature's armour is bad: it {}", blob.error().message()));
    return blob;
  }
  Result<std::vector<std::uint8_t>> blob = base64_decode(text);
  if (!blob)
    return rejected(fmt::format("the signature is not valid base64: {}", blob.error().message()));
  return blob;
}

Result<Signature> sign_delegated(const PrivateKey& key, std::string_view message,
                                 std::string_view ns) {
  Result<util::ProcessResult> run = util::run_process(
      {"ssh-keygen", "-Y", "sign", "-f", key.path(), "-n", std::string(ns)}, std::string(message));
  if (!run) {
    return Error::usage(
        fmt::format("key {} signs through ssh-keygen: {}", key.path(), run.error().message()));
  }
  if (run->exit_code != 0) {
    std::string_view err = run->err;
    while (!err.empty() && err.back() == '\n')
      err.remove_suffix(1);
    std::size_t last_line = err.rfind('\n');
    if (last_line != std::string_view::npos) err.remove_prefix(last_line + 1);
    return Error::usage(fmt::format("ssh-keygen could not sign with {}: {}", key.path(),
                                    err.empty() ? "it failed without saying why" : err));
  }
  // Trust nothing from outside: the signature must verify and be by this key.
  Result<PublicKey> signer = verify(run->out, message, ns);
  if (!signer) {
    return Error::usage(fmt::format("ssh-keygen made an unusable signature with {}: {}", key.path(),
                                    signer.error().message()));
  }
  if (*signer != key.public_key()) {
    return Error::usage(fmt::format("ssh-keygen signed with {}, not with {} ({})",
                                    signer->fingerprint(), key.path(),
                                    key.public_key().fingerprint()));
  }
  Result<std::vector<std::uint8_t>> blob = decode(run->out);
  if (!blob) return blob.error();
  return Signature{std::move(blob).value()};
}

}  // namespace

std::string Signature::armored() const {
  return armor(blob, kLabel);
}

std::string Signature::base64() const {
  return base64_encode(blob);
}

Result<Signature> sign(const PrivateKey& key, std::string_view message, std::string_view ns) {
  if (ns.empty()) return Error::usage("an SSH signature needs a namespace");
  if (!key.native()) return sign_delegated(key, message, ns);

  constexpr std::string_view algorithm = "sha512";
  Result<std::array<std::uint8_t, 64>> raw = key.sign_raw(signed_data(ns, algorithm, message));
  if (!raw) return raw.error();
  std::vector<std::uint8_t> signature;
  wire::put_string(signature, kKeyType);
  wire::put_string(signature, *raw);

  Signature out;
  wire::put_bytes(out.blob, kMagic);
  wire::put_u32(out.blob, kVersion);
  wire::put_string(out.blob, key.public_key().wire());
  wire::put_string(out.blob, ns);
  wire::put_string(out.blob, "");
  wire::put_string(out.blob, algorithm);
  wire::put_string(out.blob, signature);
  return out;
}

Result<PublicKey> verify(std::string_view signature, std::string_view message,
                         std::string_view ns) {
  Result<std::vector<std::uint8_t>> decoded = decode(signature);
  if (!decoded) return decoded.error();
  std::span<const std::uint8_t> blob = *decoded;

  wire::Reader reader(blob);
  std::span<const std::uint8_t> magic;
  if (!reader.bytes(kMagic.size(), magic) || wire::as_text(magic) != kMagic) {
    return rejected("not an SSH signature: it does not start with \"SSHSIG\"");
  }
  std::uint32_t version = 0;
  std::span<const std::uint8_t> key_blob, signature_blob;
  std::string_view sig_ns, reserved, algorithm;
  if (!reader.u32(version)) return rejected("the SSH signature is truncated");
  if (version != kVersion) {
    return rejected(
        fmt::format("SSH signature version {} is not supported (only version 1 is)", version));
  }
  if (!reader.string(key_blob) || !reader.string(sig_ns) || !reader.string(reserved) ||
      !reader.string(algorithm) || !reader.string(signature_blob)) {
    return rejected("the SSH signature is truncated");
  }
  if (!reader.done()) {
    return rejected(fmt::format("the SSH signature has {} left over after its end",
                                bytes_count(reader.remaining())));
  }
  Result<PublicKey> key = PublicKey::parse_wire(key_blob);
  if (!key) return rejected(fmt::format("the signing key is unusable: {}", key.error().message()));
  if (sig_ns != ns) {
    return rejected(
        fmt::format("the signature was made for namespace \"{}\", not \"{}\"", sig_ns, ns));
  }
  if (algorithm != "sha256" && algorithm != "sha512") {
    return rejected(
        fmt::format("the signature uses hash algorithm \"{}\"; only sha256 and sha512 are accepted",
                    algorithm));
  }

  wire::Reader inner(signature_blob);
  std::string_view sig_type;
  std::span<const std::uint8_t> raw;
  if (!inner.string(sig_type) || !inner.string(raw))
    return rejected("the signature value is truncated");
  if (sig_type != kKeyType) {
    return rejected(
        fmt::format("the signature type \"{}\" does not match the key type ssh-ed25519", sig_type));
  }
  if (raw.size() != 64) {
    return rejected(fmt::format("the Ed25519 signature has {} bytes, not 64", raw.size()));
  }
  if (!inner.done()) {
    return rejected(fmt::format("the signature value has {} left over after its end",
                                bytes_count(inner.remaining())));
  }
  if (!ed25519::verify(key->bytes(), signed_data(sig_ns, algorithm, message), raw)) {
    return rejected(
        fmt::format("the signature by {} does not verify: the message or the signature was changed",
                    key->fingerprint()));
  }
  return key;
}

}  // namespace safedb::crypto
