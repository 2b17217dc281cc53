#include "crypto/secret.h"

#include <openssl/crypto.h>

namespace safedb::crypto {

void wipe(void* data, std::size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

}  // namespace safedb::crypto
