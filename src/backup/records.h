#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "safedb/backup/manifest.h"

namespace safedb::backup::detail {

// The `target` object of the backup records: the database's identity. The
// backup gate matches system_identifier and database.
nlohmann::json target_json(const std::string& name, const db::TargetIdentity& identity);

// "12.3 MiB"
std::string human_size(std::uint64_t bytes);

}  // namespace safedb::backup::detail
