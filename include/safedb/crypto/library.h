#pragma once

#include "safedb/util/result.h"

namespace safedb::crypto {

// Loads OpenSSL's libcrypto, which safedb opens when a command first needs it
// rather than when the process starts: loading it costs about 1.3 ms, a
// quarter of an offline `safedb check` of a small file, which never needs it.
// Commands that sign, verify or hash call this first, so that a missing
// library is one error line before anything is done. Once per process;
// later calls return the first outcome.
Status load_library();

}  // namespace safedb::crypto
