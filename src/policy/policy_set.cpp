// Loading a policies folder: every file, then the files together.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "conflicts.h"
#include "policy_file.h"
#include "safedb/policy/policy.h"

namespace safedb::policy {
namespace {

namespace fs = std::filesystem;

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines)
    out += (out.empty() ? "" : "\n") + line;
  return out;
}

}  // namespace

Result<PolicySet> PolicySet::load(const std::string& folder, const LoadOptions& options) {
  std::error_code ec;
  const fs::file_status status = fs::status(folder, ec);
  if (!fs::exists(status))
    return Error::usage(fmt::format(
        "policies folder '{}' does not exist (set \"policies\" in safedb.json or pass --policies)",
        folder));
  if (!fs::is_directory(status))
    return Error::usage(fmt::format("policies folder '{}' is not a folder", folder));

  std::vector<std::string> problems;
  std::vector<std::string> names;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with('.')) continue;  // editor and VCS files: .swp, .gitkeep
    const std::string path = (fs::path(folder) / name).string();
    if (it->is_directory(ec)) {
      problems.push_back(fmt::format(
          "{}: sub-folders are not read; keep every policy file directly in {}", path, folder));
    } else if (!name.ends_with(".json")) {
      problems.push_back(fmt::format(
          "{}: not a policy file (policy files end in .json; keep other files elsewhere)", path));
    } else {
      names.push_back(name);
    }
  }
  if (ec) return Error::usage(fmt::format("{}: cannot list: {}", folder, ec.message()));
  std::sort(names.begin(), names.end());

  PolicySet set;
  set.folder_ = folder;
  const KnownTargets* targets =
      options.targets && !options.targets->empty() ? &*options.targets : nullptr;
  for (const std::string& name : names) {
    const std::string path = (fs::path(folder) / name).string();
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    if (in) bytes << in.rdbuf();
    if (!in || in.bad()) {
      problems.push_back(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
      continue;
    }
    std::optional<PolicyFile> file = parse_policy_file(name, path, bytes.str(), targets, problems);
    if (file) set.files_.push_back(std::move(*file));
  }
  if (!problems.empty()) return Error::usage(join_lines(problems));

  const std::time_t now = options.now != 0 ? options.now : std::time(nullptr);
  std::vector<std::string> conflicts = find_conflicts(set.files_, targets, now);
  if (!conflicts.empty()) return Error::usage(join_lines(conflicts));
  return set;
}

crypto::Digest PolicySet::digest() const {
  crypto::Sha256Stream hash;
  for (const PolicyFile& file : files_) {
    hash.update(file.name);
    hash.update(std::string_view("\0", 1));
    hash.update(std::to_string(file.bytes.size()));
    hash.update(std::string_view("\0", 1));
    hash.update(file.bytes);
  }
  return hash.finish();
}

std::string PolicySet::digest_hex() const {
  const crypto::Digest d = digest();
  return crypto::to_hex(d);
}

}  // namespace safedb::policy
