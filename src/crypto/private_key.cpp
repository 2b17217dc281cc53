// Loading, generating and writing Ed25519 signing keys.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "crypto/armor.h"
#include "crypto/ed25519.h"
#include "crypto/openssh_key_file.h"
#include "crypto/secret.h"
#include "safedb/crypto/keys.h"

namespace safedb::crypto {
namespace {

constexpr std::size_t kMaxKeyFileSize = 1 << 20;

// A string that may hold private key text: wiped when destroyed.
struct SecretText {
  std::string text;
  SecretText() = default;
  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;
  ~SecretText() { wipe(text.data(), text.size()); }
};

std::string errno_text() {
  return std::strerror(errno);
}

struct KeyFile {
  SecretText content;
  mode_t mode = 0;
};

// Reads `path` through one descriptor, so that the mode checked is the mode
// of the file read.
Result<std::unique_ptr<KeyFile>> read_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::usage(fmt::format("cannot read key {}: {}", path, errno_text()));
  auto file = std::make_unique<KeyFile>();
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::usage(fmt::format("key {} is not a regular file", path));
  }
  file->mode = st.st_mode & 07777;
  if (static_cast<std::size_t>(st.st_size) > kMaxKeyFileSize) {
    ::close(fd);
    return Error::usage(fmt::format("key {} is too large to be a key file", path));
  }
  file->content.text.reserve(static_cast<std::size_t>(st.st_size) + 1);
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      wipe(buffer, sizeof buffer);
      ::close(fd);
      return Error::usage(fmt::format("cannot read key {}: {}", path, errno_text()));
    }
    if (n == 0) break;
    if (file->content.text.size() + static_cast<std::size_t>(n) > kMaxKeyFileSize) {
      wipe(buffer, sizeof buffer);
      ::close(fd);
      return Error::usage(fmt::format("key {} is too large to be a key file", path));
    }
    file->content.text.append(buffer, static_cast<std::size_t>(n));
  }
  wipe(buffer, sizeof buffer);
  ::close(fd);
  return file;
}

// ssh refuses private keys that others can read or change; so do we.
Status check_mode(const std::string& path, mode_t mode) {
  if ((mode & 077) == 0) return {};
  return Error::usage(fmt::format(
      "key {} has permissions {:04o}, which are too open: a private key must not be readable or "
      "writable by group or others (chmod 600 {})",
      path, mode, path));
}

// The public key in `path`.pub, if that file exists.
Result<std::optional<PublicKey>> read_pub_file(const std::string& path) {
  std::string pub_path = path + ".pub";
  int fd = ::open(pub_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<PublicKey>();
    return Error::usage(fmt::format("cannot read {}: {}", pub_path, errno_text()));
  }
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && text.size() < kMaxKeyFileSize) {
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  Result<PublicKey> key = PublicKey::parse_openssh(text);
  if (!key) return key.error().within(pub_path);
  return std::optional<PublicKey>(*key);
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// What a key file turned out to be.
struct Loaded {
  std::optional<PublicKey> public_key;  // known from the file itself
  std::optional<ed25519::Seed> seed;    // set when it can sign natively
  bool private_file = true;             // false for a public key (its private half in ssh-agent)
  ~Loaded() {
    if (seed) wipe(seed->data(), seed->size());
  }
};

Result<std::unique_ptr<Loaded>> classify(const std::string& path, std::string_view text) {
  auto loaded = std::make_unique<Loaded>();
  if (looks_armored(text, kOpensshKeyLabel)) {
    Result<OpensshKeyFile> file = parse_openssh_key(text);
    if (!file) return file.error().within(path);
    Result<PublicKey> key = PublicKey::parse_wire(file->public_blob);
    if (!key) return key.error().within(path);
    loaded->public_key = *key;
    if (file->seed) loaded->seed = *file->seed;
    return loaded;
  }
  if (looks_armored(text, "PRIVATE KEY")) {  // PKCS#8, unencrypted
    Result<ed25519::Seed> seed = ed25519::seed_from_pkcs8_pem(text);
    if (!seed) return seed.error().within(path);
    loaded->seed = *seed;
    wipe(seed->data(), seed->size());
    loaded->public_key = PublicKey(ed25519::public_from_seed(*loaded->seed));
    return loaded;
  }
  if (contains(text, "-----BEGIN ") && contains(text, "PRIVATE KEY-----")) {
    return loaded;  // encrypted PKCS#8 or another PEM: ssh-keygen may know it
  }
  Result<PublicKey> key = PublicKey::parse_openssh(text);
  if (key) {
    loaded->public_key = *key;
    loaded->private_file = false;
    return loaded;
  }
  if (text.starts_with("ssh-") || text.starts_with("sk-") || text.starts_with("ecdsa-")) {
    return key.error().within(path);
  }
  return Error::usage(fmt::format(
      "{} is not a key file safedb understands (an OpenSSH or PKCS#8 PEM Ed25519 private key, "
      "or the public key of a key held in ssh-agent)",
      path));
}

}  // namespace

PrivateKey::PrivateKey(PublicKey public_key, bool native, std::string path)
    : public_key_(public_key), native_(native), path_(std::move(path)) {}

PrivateKey::PrivateKey(PrivateKey&& other) noexcept
    : public_key_(other.public_key_),
      native_(other.native_),
      path_(std::move(other.path_)),
      seed_(other.seed_) {
  wipe(other.seed_.data(), other.seed_.size());
}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    public_key_ = other.public_key_;
    native_ = other.native_;
    path_ = std::move(other.path_);
    seed_ = other.seed_;
    wipe(other.seed_.data(), other.seed_.size());
  }
  return *this;
}

PrivateKey::~PrivateKey() {
  wipe(seed_.data(), seed_.size());
}

PrivateKey PrivateKey::generate() {
  ed25519::Seed seed = ed25519::random_seed();
  PrivateKey key = from_seed(seed);
  wipe(seed.data(), seed.size());
  return key;
}

PrivateKey PrivateKey::from_seed(const std::array<std::uint8_t, 32>& seed) {
  PrivateKey key(PublicKey(ed25519::public_from_seed(seed)), true, "");
  key.seed_ = seed;
  return key;
}

Result<PrivateKey> PrivateKey::load(const std::string& path) {
  Result<std::unique_ptr<KeyFile>> file = read_key_file(path);
  if (!file) return file.error();
  Result<std::unique_ptr<Loaded>> loaded = classify(path, (*file)->content.text);
  if (!loaded) return loaded.error();
  Loaded& key = **loaded;
  if (key.private_file) {
    Status mode = check_mode(path, (*file)->mode);
    if (!mode) return mode.error();
  }

  Result<std::optional<PublicKey>> pub = read_pub_file(path);
  if (!pub) return pub.error();
  if (key.public_key && *pub && **pub != *key.public_key) {
    return Error::usage(fmt::format("{}.pub ({}) is not the public half of {} ({})", path,
                                    (*pub)->fingerprint(), path, key.public_key->fingerprint()));
  }
  std::optional<PublicKey> public_key = key.public_key ? key.public_key : *pub;
  if (!public_key) {
    return Error::usage(fmt::format(
        "cannot tell the public half of {}: ssh-keygen signs with it, but safedb needs its public "
        "key in {}.pub",
        path, path));
  }
  PrivateKey result(*public_key, key.seed.has_value(), path);
  if (key.seed) result.seed_ = *key.seed;
  return result;
}

Result<PrivateKey> PrivateKey::load_delegated(const std::string& path) {
  Result<PrivateKey> key = load(path);
  if (!key) return key.error();
  key->native_ = false;
  wipe(key->seed_.data(), key->seed_.size());
  return key;
}

Result<std::array<std::uint8_t, 64>> PrivateKey::sign_raw(
    std::span<const std::uint8_t> message) const {
  if (!native_) {
    return Error::usage(fmt::format(
        "key {} signs through ssh-keygen, which makes only SSHSIG signatures, not raw Ed25519 "
        "ones: use an unencrypted ssh-ed25519 key file",
        path_));
  }
  return ed25519::sign(seed_, message);
}

}  // namespace safedb::crypto
