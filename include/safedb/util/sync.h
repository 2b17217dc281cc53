#pragma once

#include <string>

#include "safedb/util/result.h"

namespace safedb::util {

// fsyncs a folder ("" means the current one), so that the names created,
// renamed or removed in it survive a crash. The error names the folder and why.
Status sync_folder(const std::string& path);

}  // namespace safedb::util
