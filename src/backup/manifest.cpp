#include "safedb/backup/manifest.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "safedb/crypto/hash.h"

namespace safedb::backup {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Error bad(std::string_view key) {
  return Error::input(fmt::format("\"{}\" is missing or has the wrong type", key));
}

// Reads `file` and fills in `out` (its path set by the caller); `done`
// counts the bytes read by every thread, which `draw` (when not null) shows.
Status hash_file(const fs::path& file, DumpFile& out, std::atomic<std::uint64_t>& done,
                 util::Progress* draw) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error::usage(fmt::format("cannot read {}: {}", file.string(), std::strerror(errno)));
  crypto::Sha256Stream hash;
  std::string buffer(1 << 20, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      return Error::usage(fmt::format("cannot read {}: {}", file.string(), std::strerror(e)));
    }
    if (n == 0) break;
    hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    out.size += static_cast<std::uint64_t>(n);
    done += static_cast<std::uint64_t>(n);
    if (draw != nullptr) draw->set(done);
  }
  ::close(fd);
  out.sha256 = crypto::to_hex(hash.finish());
  return {};
}

}  // namespace

std::int64_t Manifest::rows() const {
  std::int64_t n = 0;
  for (const content::TableDigest& t : tables)
    n += t.rows;
  return n;
}

std::uint64_t Manifest::dump_bytes() const {
  std::uint64_t n = 0;
  for (const DumpFile& f : files)
    n += f.size;
  return n;
}

json to_json(const Manifest& m) {
  json tables = json::array();
  for (const content::TableDigest& t : m.tables)
    tables.push_back(content::to_json(t));
  json files = json::array();
  for (const DumpFile& f : m.files)
    files.push_back({{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}});
  return {{"format", "safedb-backup"},
          {"version", m.version},
          {"id", m.id},
          {"target",
           {{"name", m.target_name},
            {"system_identifier", m.target.system_identifier},
            {"database", m.target.database},
            {"host", m.target.host},
            {"port", m.target.port},
            {"server_version", m.target.server_version_num},
            {"server_version_text", m.target.server_version},
            {"in_recovery", m.target.in_recovery}}},
          {"pg_dump", {{"version", m.pg_dump_version}, {"jobs", m.jobs}, {"format", "directory"}}},
          {"snapshot", {{"time", m.snapshot_time}, {"unix_time", m.snapshot_unix_time}}},
          {"database_size", m.database_size},
          {"totals",
           {{"tables", m.tables.size()},
            {"rows", m.rows()},
            {"files", m.files.size()},
            {"bytes", m.dump_bytes()}}},
          {"tables", tables},
          {"files", files}};
}

Result<Manifest> manifest_from_json(const json& v) {
  if (!v.is_object()) return Error::input("not a JSON object");
  if (v.value("format", "") != "safedb-backup") return bad("format");
  if (!v.contains("version") || !v["version"].is_number_integer()) return bad("version");
  Manifest m;
  m.version = v["version"].get<int>();
  if (m.version != kManifestVersion)
    return Error::input(
        fmt::format("version {} is not understood (only {})", m.version, kManifestVersion));
  if (!v.contains("id") || !v["id"].is_string()) return bad("id");
  m.id = v["id"].get<std::string>();
  const json& t = v.value("target", json::object());
  try {
    m.target_name = t.at("name").get<std::string>();
    m.target.system_identifier = t.at("system_identifier").get<std::string>();
    m.target.database = t.at("database").get<std::string>();
    m.target.host = t.at("host").get<std::string>();
    m.target.port = t.at("port").get<int>();
    m.target.server_version_num = t.at("server_version").get<int>();
    m.target.server_version = t.at("server_version_text").get<std::string>();
    m.target.in_recovery = t.at("in_recovery").get<bool>();
  } catch (const json::exception&) {
    return bad("target");
  }
  try {
    m.pg_dump_version = v.at("pg_dump").at("version").get<std::string>();
    m.jobs = v.at("pg_dump").at("jobs").get<int>();
  } catch (const json::exception&) {
    return bad("pg_dump");
  }
  try {
    m.snapshot_time = v.at("snapshot").at("time").get<std::string>();
    m.snapshot_unix_time = v.at("snapshot").at("unix_time").get<std::int64_t>();
  } catch (const json::exception&) {
    return bad("snapshot");
  }
  if (!v.contains("database_size") || !v["database_size"].is_number_unsigned())
    return bad("database_size");
  m.database_size = v["database_size"].get<std::uint64_t>();
  if (!v.contains("tables") || !v["tables"].is_array()) return bad("tables");
  for (const json& entry : v["tables"]) {
    Result<content::TableDigest> d = content::table_digest_from_json(entry);
    if (!d) return d.error().within("tables");
    m.tables.push_back(std::move(d).value());
  }
  if (!v.contains("files") || !v["files"].is_array()) return bad("files");
  for (const json& f : v["files"]) {
    DumpFile file;
    try {
      file.path = f.at("path").get<std::string>();
      file.size = f.at("size").get<std::uint64_t>();
      file.sha256 = f.at("sha256").get<std::string>();
    } catch (const json::exception&) {
      return bad("files");
    }
    m.files.push_back(std::move(file));
  }
  return m;
}

Result<std::vector<DumpFile>> hash_dump_files(const std::string& folder, int threads,
                                              util::Progress& progress) {
  const fs::path root(folder);
  std::vector<std::pair<std::string, fs::path>> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(root / kDumpFolder, ec);
  if (ec)
    return Error::usage(
        fmt::format("cannot read {}: {}", (root / kDumpFolder).string(), ec.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec)
      return Error::usage(fmt::format("cannot read {}: {}", it->path().string(), ec.message()));
    const fs::file_status status = it->symlink_status(ec);
    if (fs::is_directory(status)) continue;
    const std::string relative = fs::relative(it->path(), root).generic_string();
    if (!fs::is_regular_file(status))
      return Error::input(fmt::format("{}: not a regular file", it->path().string()));
    found.emplace_back(relative, it->path());
  }
  if (ec) return Error::usage(fmt::format("cannot read {}: {}", folder, ec.message()));
  std::sort(found.begin(), found.end());

  // The files are read on up to `threads` threads, the largest first, so
  // that a dump of two big tables takes about the time of one; this thread
  // is one of them and draws the progress line.
  std::vector<DumpFile> files(found.size());
  std::vector<Status> results(found.size());
  std::vector<std::size_t> order(found.size());
  std::error_code size_ec;
  std::vector<std::uintmax_t> sizes;
  for (const auto& f : found) {
    const std::uintmax_t size = fs::file_size(f.second, size_ec);
    sizes.push_back(size_ec ? 0 : size);
  }
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> done{0};
  auto work = [&](bool draws) {
    for (std::size_t k = next++; k < order.size(); k = next++) {
      const std::size_t i = order[k];
      files[i].path = found[i].first;
      results[i] = hash_file(found[i].second, files[i], done, draws ? &progress : nullptr);
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < std::min<int>(threads, static_cast<int>(found.size())); ++t)
    helpers.emplace_back(work, false);
  work(true);
  for (std::thread& t : helpers)
    t.join();
  progress.set(done);
  for (const Status& r : results) {
    if (!r) return r.error();
  }
  return files;
}

}  // namespace safedb::backup
