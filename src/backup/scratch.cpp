#include "backup/scratch.h"

#include <fmt/format.h>

#include <cctype>
#include <random>

namespace safedb::backup::detail {

std::string ScratchDatabase::sql_name() const {
  std::string quoted = "\"";
  for (char c : name_)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

Status ScratchDatabase::create() {
  Result<db::QueryResult> r =
      admin_.exec(fmt::format("CREATE DATABASE {} TEMPLATE template0", sql_name()));
  if (!r)
    return Error::usage(fmt::format("cannot create the scratch database {} on {}: {}", name_,
                                    admin_.describe_target(), r.error().message()));
  created_ = true;
  return {};
}

Status ScratchDatabase::drop() {
  if (!created_) return {};
  created_ = false;
  const std::string force = server_version_ >= 130000 ? " WITH (FORCE)" : "";
  Result<db::QueryResult> r =
      admin_.exec(fmt::format("DROP DATABASE IF EXISTS {}{}", sql_name(), force));
  if (!r)
    return Error::usage(
        fmt::format("cannot drop the scratch database {} on {}: {}; drop it by "
                    "hand (DROP DATABASE {})",
                    name_, admin_.describe_target(), r.error().message(), sql_name()));
  return {};
}

std::string scratch_name(const std::string& id) {
  std::string name = "safedb_verify_";
  for (char c : id)
    name += std::isalnum(static_cast<unsigned char>(c)) != 0
                ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                : '_';
  std::random_device device;
  const std::string suffix = fmt::format("_{:04x}", device() & 0xffffu);
  if (name.size() > 63 - suffix.size()) name.resize(63 - suffix.size());
  return name + suffix;
}

}  // namespace safedb::backup::detail
