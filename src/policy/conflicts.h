#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "policy_file.h"

namespace safedb::policy {

// Requirements that cannot be combined, among files that may apply to the
// same target (docs/policies.md, "Conflicts"):
//  - maintenance windows that are never open together within 53 weeks of `now`;
//  - approval principal patterns no single person could match together;
//  - break-glass allowed by one file and forbidden by another, or allowed by
//    several files for principals no single person could match together.
// Two files overlap when they list a common environment (or "*"), a common
// target, or one lists a target and the other an environment: a target's
// environment is decided in safedb.json, so without `targets` (name ->
// environment) any target may be in any environment. Returns one
// "file:line: key: message" per conflict.
std::vector<std::string> find_conflicts(const std::vector<PolicyFile>& files,
                                        const KnownTargets* targets, std::time_t now);

}  // namespace safedb::policy
