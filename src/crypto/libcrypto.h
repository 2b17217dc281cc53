#pragma once

// Internal to the crypto module: the OpenSSL functions safedb calls, reached
// through libcrypto opened with dlopen (see safedb/crypto/library.h). Each
// ossl::NAME(...) calls OpenSSL's NAME. Should a command use one without
// having called load_library() and libcrypto cannot be opened, the process
// ends with one error line and exit status 2, as the dynamic loader would
// have ended it at start-up.

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

// Every libcrypto function safedb calls. Adding a call elsewhere means adding it here.
#define SAFEDB_LIBCRYPTO_FUNCTIONS(X) \
  X(BIO_free)                         \
  X(BIO_new_mem_buf)                  \
  X(ERR_clear_error)                  \
  X(EVP_Digest)                       \
  X(EVP_DigestFinal_ex)               \
  X(EVP_DigestInit_ex2)               \
  X(EVP_DigestSign)                   \
  X(EVP_DigestSignInit)               \
  X(EVP_DigestUpdate)                 \
  X(EVP_DigestVerify)                 \
  X(EVP_DigestVerifyInit)             \
  X(EVP_MD_CTX_free)                  \
  X(EVP_MD_CTX_new)                   \
  X(EVP_MD_fetch)                     \
  X(EVP_PKEY_free)                    \
  X(EVP_PKEY_get0_type_name)          \
  X(EVP_PKEY_get_id)                  \
  X(EVP_PKEY_get_raw_private_key)     \
  X(EVP_PKEY_get_raw_public_key)      \
  X(EVP_PKEY_new_raw_private_key)     \
  X(EVP_PKEY_new_raw_public_key)      \
  X(EVP_sha512)                       \
  X(OPENSSL_cleanse)                  \
  X(PEM_read_bio_PrivateKey)          \
  X(RAND_bytes)

namespace safedb::crypto::ossl {

struct Functions {
#define SAFEDB_LIBCRYPTO_POINTER(name) decltype(&::name) name = nullptr;
  SAFEDB_LIBCRYPTO_FUNCTIONS(SAFEDB_LIBCRYPTO_POINTER)
#undef SAFEDB_LIBCRYPTO_POINTER
};

// The loaded functions; loads libcrypto on first use (see above).
const Functions& functions();

#define SAFEDB_LIBCRYPTO_CALL(name)   \
  template <typename... Args>         \
  inline auto name(Args... args) {    \
    return functions().name(args...); \
  }
SAFEDB_LIBCRYPTO_FUNCTIONS(SAFEDB_LIBCRYPTO_CALL)
#undef SAFEDB_LIBCRYPTO_CALL

}  // namespace safedb::crypto::ossl
