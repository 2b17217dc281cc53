// Ed25519 public keys in OpenSSH's text and wire encodings.
#include <fmt/format.h>

#include <algorithm>

#include "crypto/ssh_wire.h"
#include "safedb/crypto/hash.h"
#include "safedb/crypto/keys.h"
#include "safedb/util/text.h"

namespace safedb::crypto {
namespace {

using util::trim;

constexpr std::string_view kKeyType = "ssh-ed25519";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view next_field(std::string_view& text) {
  std::size_t end = 0;
  while (end < text.size() && !is_space(text[end]))
    ++end;
  std::string_view field = text.substr(0, end);
  text.remove_prefix(end);
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  return field;
}

Error unsupported(std::string_view type) {
  return Error::input(
      fmt::format("key type {} is not supported: safedb uses ssh-ed25519 keys only", type));
}

}  // namespace

Result<PublicKey> PublicKey::parse_wire(std::span<const std::uint8_t> wire) {
  wire::Reader reader(wire);
  std::string_view type;
  std::span<const std::uint8_t> key;
  if (!reader.string(type)) return Error::input("public key blob is truncated");
  if (type != kKeyType) return unsupported(type);
  if (!reader.string(key)) return Error::input("ssh-ed25519 public key blob is truncated");
  if (key.size() != 32) {
    return Error::input(fmt::format("ssh-ed25519 public key has {} bytes, not 32", key.size()));
  }
  if (!reader.done()) return Error::input("ssh-ed25519 public key blob has trailing bytes");
  std::array<std::uint8_t, 32> bytes{};
  std::copy(key.begin(), key.end(), bytes.begin());
  return PublicKey(bytes);
}

Result<PublicKey> PublicKey::parse_openssh(std::string_view text) {
  text = trim(text);
  if (text.empty()) return Error::input("empty public key");
  if (text.find('\n') != std::string_view::npos) {
    return Error::input("public key text has more than one line");
  }
  std::string_view type = next_field(text);
  std::string_view base64 = next_field(text);
  if (type != kKeyType) {
    if (type.find("PRIVATE KEY") != std::string_view::npos || type.starts_with("-----")) {
      return Error::input("this is a private key file, not a public key");
    }
    return unsupported(type);
  }
  if (base64.empty()) return Error::input("public key has no base64 key after ssh-ed25519");
  Result<std::vector<std::uint8_t>> blob = base64_decode(base64);
  if (!blob) return blob.error().within("public key");
  Result<PublicKey> key = parse_wire(*blob);
  if (!key) return key.error();
  return key;
}

std::vector<std::uint8_t> PublicKey::wire() const {
  std::vector<std::uint8_t> out;
  wire::put_string(out, kKeyType);
  wire::put_string(out, bytes_);
  return out;
}

std::string PublicKey::openssh() const {
  return fmt::format("{} {}", kKeyType, base64_encode(wire()));
}

std::string PublicKey::fingerprint() const {
  std::string encoded = base64_encode(sha256(wire()));
  while (!encoded.empty() && encoded.back() == '=')
    encoded.pop_back();
  return "SHA256:" + encoded;
}

}  // namespace safedb::crypto
