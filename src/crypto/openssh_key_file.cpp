#include "crypto/openssh_key_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "crypto/armor.h"
#include "crypto/secret.h"
#include "crypto/ssh_wire.h"

namespace safedb::crypto {
namespace {

constexpr char kMagic[] = "openssh-key-v1";  // followed by a NUL byte
constexpr std::size_t kMagicSize = sizeof kMagic;
constexpr std::size_t kBlockSize = 8;  // cipher "none"

Error bad(std::string_view what) {
  return Error::input(fmt::format("OpenSSH private key {}", what));
}

// Reads the unencrypted private section of an ssh-ed25519 key.
Status read_private_section(std::span<const std::uint8_t> section,
                            std::span<const std::uint8_t> public_key, OpensshKeyFile& file) {
  if (section.size() % kBlockSize != 0) return bad("has a private section of a bad length");
  wire::Reader reader(section);
  std::uint32_t check1 = 0, check2 = 0;
  std::string_view type, comment;
  std::span<const std::uint8_t> pub, secret;
  if (!reader.u32(check1) || !reader.u32(check2) || !reader.string(type) || !reader.string(pub) ||
      !reader.string(secret) || !reader.string(comment)) {
    return bad("has a truncated private section");
  }
  if (check1 != check2) return bad("is corrupt (check numbers differ)");
  if (type != "ssh-ed25519") return bad(fmt::format("private section holds a {} key", type));
  if (pub.size() != 32 || secret.size() != 64)
    return bad("has an ssh-ed25519 key of the wrong size");
  if (!std::equal(pub.begin(), pub.end(), public_key.begin(), public_key.end()) ||
      !std::equal(pub.begin(), pub.end(), secret.begin() + 32, secret.end())) {
    return bad("has a private part that does not match its public key");
  }
  std::uint8_t expected = 1;
  while (!reader.done()) {
    std::span<const std::uint8_t> pad;
    if (!reader.bytes(1, pad) || pad[0] != expected++) return bad("has bad padding");
  }
  ed25519::Seed seed{};
  std::copy(secret.begin(), secret.begin() + 32, seed.begin());
  ed25519::Public derived = ed25519::public_from_seed(seed);
  if (!std::equal(derived.begin(), derived.end(), pub.begin(), pub.end())) {
    wipe(seed.data(), seed.size());
    return bad("has a private key that does not match its public key");
  }
  file.seed = seed;
  wipe(seed.data(), seed.size());
  file.comment = std::string(comment);
  return {};
}

}  // namespace

OpensshKeyFile::~OpensshKeyFile() {
  if (seed) wipe(seed->data(), seed->size());
}

Result<OpensshKeyFile> parse_openssh_key(std::string_view text) {
  Result<std::vector<std::uint8_t>> decoded = dearmor(text, kOpensshKeyLabel);
  if (!decoded) return decoded.error().within("OpenSSH private key");
  SecretBytes blob(std::move(decoded).value());
  std::span<const std::uint8_t> bytes = blob.bytes();
  if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
    return bad("does not start with \"openssh-key-v1\"");
  }
  wire::Reader reader(bytes.subspan(kMagicSize));
  std::string_view cipher, kdf, kdf_options;
  std::uint32_t count = 0;
  std::span<const std::uint8_t> public_blob, section;
  if (!reader.string(cipher) || !reader.string(kdf) || !reader.string(kdf_options) ||
      !reader.u32(count)) {
    return bad("header is truncated");
  }
  if (count != 1) return bad(fmt::format("holds {} keys, not 1", count));
  if (!reader.string(public_blob) || !reader.string(section)) return bad("is truncated");
  if (!reader.done()) return bad("has trailing bytes");

  OpensshKeyFile file;
  file.cipher = std::string(cipher);
  file.public_blob.assign(public_blob.begin(), public_blob.end());
  wire::Reader public_reader(public_blob);
  std::string_view public_type;
  if (!public_reader.string(public_type)) return bad("has a truncated public key");
  file.public_type = std::string(public_type);

  if (cipher != "none" || public_type != "ssh-ed25519") return file;
  if (kdf != "none") return bad(fmt::format("is not encrypted but names the KDF {}", kdf));
  std::span<const std::uint8_t> raw_public;
  if (!public_reader.string(raw_public) || raw_public.size() != 32 || !public_reader.done()) {
    return bad("has a malformed ssh-ed25519 public key");
  }
  Status status = read_private_section(section, raw_public, file);
  if (!status) return status.error();
  return file;
}

std::string format_openssh_key(const ed25519::Seed& seed, const ed25519::Public& public_key,
                               std::string_view comment) {
  std::vector<std::uint8_t> public_blob;
  wire::put_string(public_blob, "ssh-ed25519");
  wire::put_string(public_blob, public_key);

  std::uint32_t check = 0;
  ed25519::random_bytes({reinterpret_cast<std::uint8_t*>(&check), sizeof check});
  SecretBytes section;
  std::vector<std::uint8_t>& s = section.bytes();
  s.reserve(160 + comment.size());  // no reallocation: the secret stays in one buffer
  wire::put_u32(s, check);
  wire::put_u32(s, check);
  wire::put_string(s, "ssh-ed25519");
  wire::put_string(s, public_key);
  wire::put_u32(s, 64);
  wire::put_bytes(s, seed);
  wire::put_bytes(s, public_key);
  wire::put_string(s, comment);
  for (std::uint8_t pad = 1; s.size() % kBlockSize != 0; ++pad)
    s.push_back(pad);

  SecretBytes blob;
  std::vector<std::uint8_t>& b = blob.bytes();
  b.reserve(kMagicSize + 64 + public_blob.size() + s.size());
  wire::put_bytes(b, {reinterpret_cast<const std::uint8_t*>(kMagic), kMagicSize});
  wire::put_string(b, "none");
  wire::put_string(b, "none");
  wire::put_string(b, "");
  wire::put_u32(b, 1);
  wire::put_string(b, public_blob);
  wire::put_string(b, s);
  return armor(b, kOpensshKeyLabel);
}

}  // namespace safedb::crypto
