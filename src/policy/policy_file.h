#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "safedb/policy/policy.h"

namespace safedb::policy {

// Target name -> environment, from safedb.json.
using KnownTargets = std::map<std::string, std::string>;

// Reads one policy file's text. `name` is the file name within its folder and
// `path` how messages name it. With `targets`, target names in the file must
// be among them. Problems are appended to `problems` as
// "path:line: key: message"; nullopt if there was any.
std::optional<PolicyFile> parse_policy_file(const std::string& name, const std::string& path,
                                            const std::string& text, const KnownTargets* targets,
                                            std::vector<std::string>& problems);

}  // namespace safedb::policy
