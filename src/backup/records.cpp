#include "backup/records.h"

#include <fmt/format.h>

namespace safedb::backup::detail {

nlohmann::json target_json(const std::string& name, const db::TargetIdentity& identity) {
  return {{"name", name},
          {"system_identifier", identity.system_identifier},
          {"database", identity.database},
          {"host", identity.host},
          {"port", identity.port},
          {"server_version", identity.server_version_num}};
}

std::string human_size(std::uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

}  // namespace safedb::backup::detail
