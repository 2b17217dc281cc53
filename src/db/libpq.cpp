#include "db/libpq.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <string>

namespace safedb::db::pq {

#define SAFEDB_LIBPQ_DEFINE(name) decltype(&::name) name = nullptr;
SAFEDB_LIBPQ_FUNCTIONS(SAFEDB_LIBPQ_DEFINE)
#undef SAFEDB_LIBPQ_DEFINE

namespace {

// libpq's soname has been libpq.so.5 since PostgreSQL 8.0.
constexpr const char* kLibrary = "libpq.so.5";

Status load_once() {
  // RTLD_LOCAL: libpq's symbols stay out of the global scope; safedb reaches
  // them only through the pointers above.
  void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    return Error::usage(fmt::format("cannot load {} (libpq, the PostgreSQL client library): {}",
                                    kLibrary, why ? why : "unknown error"));
  }
  std::string missing;
#define SAFEDB_LIBPQ_LOAD(fn)                                 \
  fn = reinterpret_cast<decltype(fn)>(::dlsym(library, #fn)); \
  if (fn == nullptr) missing += std::string(missing.empty() ? "" : ", ") + #fn;
  SAFEDB_LIBPQ_FUNCTIONS(SAFEDB_LIBPQ_LOAD)
#undef SAFEDB_LIBPQ_LOAD
  if (!missing.empty()) {
    return Error::usage(
        fmt::format("{} lacks functions safedb needs ({}): libpq is too old", kLibrary, missing));
  }
  return {};
}

}  // namespace

Status load() {
  static const Status loaded = load_once();  // thread-safe, once
  return loaded;
}

}  // namespace safedb::db::pq
