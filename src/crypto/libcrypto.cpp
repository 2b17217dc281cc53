#include "crypto/libcrypto.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "safedb/crypto/library.h"

namespace safedb::crypto {
namespace {

// OpenSSL 3's soname; safedb is built against OpenSSL 3 (CMake requires it).
constexpr const char* kLibrary = "libcrypto.so.3";

ossl::Functions loaded;

Status load_once() {
  // RTLD_LOCAL: the symbols stay out of the global scope. libpq, when it is
  // loaded later, finds the same libcrypto already open and shares it.
  void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    return Error::usage(fmt::format("cannot load {} (OpenSSL's libcrypto): {}", kLibrary,
                                    why ? why : "unknown error"));
  }
  std::string missing;
#define SAFEDB_LIBCRYPTO_LOAD(fn)                                           \
  loaded.fn = reinterpret_cast<decltype(loaded.fn)>(::dlsym(library, #fn)); \
  if (loaded.fn == nullptr) missing += std::string(missing.empty() ? "" : ", ") + #fn;
  SAFEDB_LIBCRYPTO_FUNCTIONS(SAFEDB_LIBCRYPTO_LOAD)
#undef SAFEDB_LIBCRYPTO_LOAD
  if (!missing.empty()) {
    return Error::usage(fmt::format("{} lacks functions safedb needs ({})", kLibrary, missing));
  }
  return {};
}

}  // namespace

Status load_library() {
  static const Status outcome = load_once();  // thread-safe, once
  return outcome;
}

namespace ossl {

const Functions& functions() {
  static const bool ready = [] {
    Status s = load_library();
    if (!s) {
      std::fprintf(stderr, "safedb: error: %s\n", s.error().message().c_str());
      std::exit(to_int(ExitCode::usage));  // nothing was done with the missing library
    }
    return true;
  }();
  (void)ready;
  return loaded;
}

}  // namespace ossl
}  // namespace safedb::crypto
