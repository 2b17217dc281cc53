#include "crypto/secret.h"

#include "crypto/libcrypto.h"

namespace safedb::crypto {

void wipe(void* data, std::size_t size) {
  if (data != nullptr && size > 0) ossl::OPENSSL_cleanse(data, size);
}

}  // namespace safedb::crypto
