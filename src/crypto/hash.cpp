// SHA-256 and SHA-512 through OpenSSL's EVP interface.
#include "safedb/crypto/hash.h"

#include <stdexcept>

#include "crypto/digest.h"
#include "crypto/libcrypto.h"

namespace safedb::crypto {
namespace {

EVP_MD_CTX* context_of(void* context) {
  return static_cast<EVP_MD_CTX*>(context);
}

// Failures here mean OpenSSL itself is broken (out of memory, no SHA-256):
// an invariant violation, not bad input.
void check(int rc) {
  if (rc != 1) throw std::runtime_error("OpenSSL SHA-256 failed");
}

// SHA-256 fetched from the provider once. EVP_sha256() makes every
// EVP_DigestInit look the implementation up again, which costs as much as
// hashing a 200-byte row: it doubled the time of a table's content hash.
const EVP_MD* sha256_md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = ossl::EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) throw std::runtime_error("OpenSSL: no SHA-256");
    return fetched;
  }();
  return md;
}

}  // namespace

Digest sha256(std::string_view data) {
  Sha256Stream stream;
  stream.update(data);
  return stream.finish();
}

Digest sha256(std::span<const std::uint8_t> data) {
  return sha256(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

std::array<std::uint8_t, 64> sha512(std::span<const std::uint8_t> data) {
  std::array<std::uint8_t, 64> digest{};
  unsigned int length = 0;
  check(ossl::EVP_Digest(data.data(), data.size(), digest.data(), &length, ossl::EVP_sha512(),
                         nullptr));
  return digest;
}

Sha256Stream::Sha256Stream() : context_(ossl::EVP_MD_CTX_new()) {
  if (context_ == nullptr) throw std::runtime_error("OpenSSL: out of memory");
  check(ossl::EVP_DigestInit_ex2(context_of(context_), sha256_md(), nullptr));
}

Sha256Stream::~Sha256Stream() {
  ossl::EVP_MD_CTX_free(context_of(context_));
}

void Sha256Stream::update(std::string_view data) {
  check(ossl::EVP_DigestUpdate(context_of(context_), data.data(), data.size()));
}

Digest Sha256Stream::finish() {
  Digest digest{};
  unsigned int length = 0;
  check(ossl::EVP_DigestFinal_ex(context_of(context_), digest.data(), &length));
  return digest;
}

// Order-independent multiset hash (see hash.h).

MultisetHash::MultisetHash() : context_(ossl::EVP_MD_CTX_new()) {
  if (context_ == nullptr) throw std::runtime_error("OpenSSL: out of memory");
}

MultisetHash::~MultisetHash() {
  ossl::EVP_MD_CTX_free(context_of(context_));
}

namespace {

void add_limbs(std::array<std::uint64_t, 4>& sum, const std::array<std::uint64_t, 4>& value) {
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint64_t a = sum[i];
    const std::uint64_t partial = a + value[i];
    const std::uint64_t total = partial + carry;
    carry = static_cast<std::uint64_t>(partial < a) + static_cast<std::uint64_t>(total < partial);
    sum[i] = total;
  }
}

}  // namespace

void MultisetHash::add(std::string_view element) {
  EVP_MD_CTX* ctx = context_of(context_);
  check(ossl::EVP_DigestInit_ex2(ctx, sha256_md(), nullptr));
  check(ossl::EVP_DigestUpdate(ctx, element.data(), element.size()));
  Digest digest{};
  unsigned int length = 0;
  check(ossl::EVP_DigestFinal_ex(ctx, digest.data(), &length));
  std::array<std::uint64_t, 4> value{};
  for (std::size_t limb = 0; limb < 4; ++limb) {
    std::uint64_t v = 0;
    for (std::size_t b = 0; b < 8; ++b)
      v |= static_cast<std::uint64_t>(digest[limb * 8 + b]) << (8 * b);
    value[limb] = v;
  }
  add_limbs(sum_, value);
  ++count_;
}

void MultisetHash::merge(const MultisetHash& other) {
  add_limbs(sum_, other.sum_);
  count_ += other.count_;
}

std::string MultisetHash::hex() const {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t limb = 0; limb < 4; ++limb) {
    for (std::size_t b = 0; b < 8; ++b)
      bytes[31 - (limb * 8 + b)] = static_cast<std::uint8_t>(sum_[limb] >> (8 * b));
  }
  return to_hex(bytes);
}

}  // namespace safedb::crypto
