#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/util/result.h"

namespace safedb::crypto {

// An Ed25519 public key, the only key type safedb accepts.
class PublicKey {
 public:
  explicit PublicKey(const std::array<std::uint8_t, 32>& bytes) : bytes_(bytes) {}
  // Parses "ssh-ed25519 AAAA... [comment]" (a .pub file line or allowed_signers key).
  static Result<PublicKey> parse_openssh(std::string_view text);
  // Parses the SSH wire encoding: string "ssh-ed25519", string key(32).
  static Result<PublicKey> parse_wire(std::span<const std::uint8_t> wire);

  const std::array<std::uint8_t, 32>& bytes() const { return bytes_; }
  std::vector<std::uint8_t> wire() const;
  std::string openssh() const;      // "ssh-ed25519 AAAA..." (no comment)
  std::string fingerprint() const;  // "SHA256:<base64 without padding>", as `ssh-keygen -l` prints
  friend bool operator==(const PublicKey&, const PublicKey&) = default;

 private:
  std::array<std::uint8_t, 32> bytes_;
};

// A signing key. Unencrypted OpenSSH Ed25519 keys (`ssh-keygen -t ed25519 -N ''`)
// and PKCS#8 PEM Ed25519 keys sign natively; any other key file (passphrase
// protected, hardware-backed, or one whose private half lives in ssh-agent)
// is "delegated": signing runs `ssh-keygen -Y sign -f PATH`.
class PrivateKey {
 public:
  // Loads `path`. Refuses (usage error naming the path and its mode) a file
  // readable or writable by group or others, as ssh does. A delegated key
  // needs `path`.pub (or a public key ssh-keygen can derive) to know its public half.
  static Result<PrivateKey> load(const std::string& path);
  // Loads `path` like load() but always as a delegated key, even one that
  // could sign natively: every signature then comes from `ssh-keygen -Y sign`
  // (which asks ssh-agent first). Same permission check and public-half rules.
  static Result<PrivateKey> load_delegated(const std::string& path);
  // A fresh random key (native).
  static PrivateKey generate();
  // The native key with this 32-byte Ed25519 private key (the RFC 8032 seed).
  static PrivateKey from_seed(const std::array<std::uint8_t, 32>& seed);

  const PublicKey& public_key() const { return public_key_; }
  bool native() const { return native_; }
  const std::string& path() const { return path_; }  // empty for generated keys

  // Raw Ed25519 signature of `message`. Fails for delegated keys.
  Result<std::array<std::uint8_t, 64>> sign_raw(std::span<const std::uint8_t> message) const;

  // Writes the key in OpenSSH format to `path` (mode 0600, created exclusively:
  // fails if it exists) and the public key to `path`.pub (0644), with `comment`.
  Status write_openssh(const std::string& path, std::string_view comment) const;

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();

 private:
  PrivateKey(PublicKey public_key, bool native, std::string path);
  PublicKey public_key_;
  bool native_ = true;
  std::string path_;
  std::array<std::uint8_t, 32> seed_{};  // private seed for native keys; wiped on destruction
};

}  // namespace safedb::crypto
