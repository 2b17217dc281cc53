#include "safedb/backup/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "safedb/crypto/hash.h"

namespace safedb::backup {
namespace {

namespace fs = std::filesystem;

}  // namespace

std::string new_backup_id(std::int64_t unix_time, const std::string& database) {
  const std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::string name;
  for (char c : database) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 && name.size() < 24)
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (name.empty()) name = "db";
  std::random_device device;
  return fmt::format("{}-{}-{:04x}", stamp, name, device() & 0xffffu);
}

Result<StoredManifest> read_manifest(const std::string& folder) {
  const fs::path path = fs::path(folder) / kManifestFile;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int e = errno;
    std::error_code ec;
    if (!fs::exists(path, ec))
      return Error(ExitCode::no, fmt::format("{}: missing", path.string()));
    return Error::usage(fmt::format("cannot read {}: {}", path.string(), std::strerror(e)));
  }
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return Error::usage(fmt::format("cannot read {}", path.string()));
  StoredManifest stored;
  stored.bytes = s.str();
  stored.sha256 = crypto::to_hex(crypto::sha256(stored.bytes));
  nlohmann::json value = nlohmann::json::parse(stored.bytes, nullptr, false);
  if (value.is_discarded()) {
    stored.problem = "not valid JSON";
    return stored;
  }
  Result<Manifest> m = manifest_from_json(value);
  if (!m) {
    stored.problem = m.error().message();
    return stored;
  }
  stored.manifest = std::move(m).value();
  return stored;
}

Result<std::vector<FolderEntry>> scan_backups(const std::string& backups) {
  std::vector<FolderEntry> entries;
  std::error_code ec;
  if (!fs::exists(backups, ec)) return entries;
  fs::directory_iterator it(backups, ec);
  if (ec)
    return Error::usage(
        fmt::format("cannot read the backups folder {}: {}", backups, ec.message()));
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    FolderEntry e;
    e.id = it->path().filename().string();
    e.path = it->path().string();
    if (!it->is_directory(ec)) {
      e.problem = "not a backup folder (a file)";
      entries.push_back(std::move(e));
      continue;
    }
    if (e.id.starts_with(".tmp-")) {
      e.incomplete = true;
      e.id = e.id.substr(5);
      e.problem = "incomplete: a backup being written, or left by a create that was killed";
      entries.push_back(std::move(e));
      continue;
    }
    Result<StoredManifest> stored = read_manifest(e.path);
    if (!stored) {
      e.problem = stored.error().message();
    } else {
      if (!stored->manifest)
        e.problem = fmt::format("manifest.json: {}", stored->problem);
      else if (stored->manifest->id != e.id)
        e.problem = fmt::format("manifest.json names another backup ({})", stored->manifest->id);
      e.stored = std::move(stored).value();
    }
    entries.push_back(std::move(e));
  }
  if (ec)
    return Error::usage(
        fmt::format("cannot read the backups folder {}: {}", backups, ec.message()));
  std::sort(entries.begin(), entries.end(),
            [](const FolderEntry& a, const FolderEntry& b) { return a.id < b.id; });
  return entries;
}

}  // namespace safedb::backup
