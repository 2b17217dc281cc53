#include <string_view>

#include "safedb/sql/analysis.h"

namespace safedb::sql {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "error";
}

std::optional<Severity> severity_from_string(std::string_view name) {
  for (Severity s : {Severity::info, Severity::warning, Severity::error}) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view to_string(LockMode mode) {
  switch (mode) {
    case LockMode::none:
      return "";
    case LockMode::access_share:
      return "ACCESS SHARE";
    case LockMode::row_share:
      return "ROW SHARE";
    case LockMode::row_exclusive:
      return "ROW EXCLUSIVE";
    case LockMode::share_update_exclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::share:
      return "SHARE";
    case LockMode::share_row_exclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::exclusive:
      return "EXCLUSIVE";
    case LockMode::access_exclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "";
}

bool blocks_writes(LockMode mode) {
  return mode >= LockMode::share;
}

}  // namespace safedb::sql
