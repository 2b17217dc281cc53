// Ed25519 and randomness through OpenSSL's EVP interface.
#include "crypto/ed25519.h"

#include <fmt/format.h>

#include <memory>
#include <stdexcept>

#include "crypto/libcrypto.h"
#include "crypto/secret.h"

namespace safedb::crypto::ed25519 {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { ossl::EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { ossl::EVP_MD_CTX_free(ctx); }
};
struct BioFree {
  void operator()(BIO* bio) const { ossl::BIO_free(bio); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// OpenSSL failing on valid input (out of memory) is not something callers can
// act on; it aborts the invocation.
[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("OpenSSL: ") + what);
}

Pkey private_key(const Seed& seed) {
  Pkey key(ossl::EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!key) fail("cannot make an Ed25519 private key");
  return key;
}

// A passphrase callback that refuses: an encrypted PEM must fail to load
// rather than prompt on the terminal.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

Seed random_seed() {
  Seed seed{};
  random_bytes(seed);
  return seed;
}

void random_bytes(std::span<std::uint8_t> out) {
  if (ossl::RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) fail("no random bytes");
}

Public public_from_seed(const Seed& seed) {
  Pkey key = private_key(seed);
  Public out{};
  std::size_t length = out.size();
  if (ossl::EVP_PKEY_get_raw_public_key(key.get(), out.data(), &length) != 1 ||
      length != out.size()) {
    fail("cannot derive an Ed25519 public key");
  }
  return out;
}

Sig sign(const Seed& seed, std::span<const std::uint8_t> message) {
  Pkey key = private_key(seed);
  MdCtx ctx(ossl::EVP_MD_CTX_new());
  if (!ctx) fail("out of memory");
  Sig sig{};
  std::size_t length = sig.size();
  if (ossl::EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      ossl::EVP_DigestSign(ctx.get(), sig.data(), &length, message.data(), message.size()) != 1 ||
      length != sig.size()) {
    fail("Ed25519 signing failed");
  }
  return sig;
}

bool verify(const Public& key, std::span<const std::uint8_t> message,
            std::span<const std::uint8_t> sig) {
  if (sig.size() != 64) return false;
  Pkey pkey(ossl::EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
  if (!pkey) {
    ossl::ERR_clear_error();
    return false;
  }
  MdCtx ctx(ossl::EVP_MD_CTX_new());
  if (!ctx) fail("out of memory");
  if (ossl::EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
    return false;
  bool good = ossl::EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), message.data(),
                                     message.size()) == 1;
  ossl::ERR_clear_error();
  return good;
}

Result<Seed> seed_from_pkcs8_pem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(
      ossl::BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) fail("out of memory");
  Pkey key(ossl::PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    ossl::ERR_clear_error();
    return Error::input("not a readable unencrypted PKCS#8 PEM private key");
  }
  if (ossl::EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    const char* type = ossl::EVP_PKEY_get0_type_name(key.get());
    return Error::input(fmt::format("PEM key type {} is not supported (only Ed25519 keys are)",
                                    type != nullptr ? type : "unknown"));
  }
  Seed seed{};
  std::size_t length = seed.size();
  if (ossl::EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &length) != 1 ||
      length != seed.size()) {
    wipe(seed.data(), seed.size());
    return Error::input("cannot read the Ed25519 private key from the PEM file");
  }
  return seed;
}

}  // namespace safedb::crypto::ed25519
