#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/content/content.h"
#include "safedb/db/target_identity.h"
#include "safedb/util/progress.h"
#include "safedb/util/result.h"

namespace safedb::backup {

// The on-disk layout of one backup (docs/backups.md):
//   <backups>/<id>/manifest.json   this manifest
//   <backups>/<id>/dump/           pg_dump's directory-format archive
inline constexpr int kManifestVersion = 1;
inline constexpr std::string_view kManifestFile = "manifest.json";
inline constexpr std::string_view kDumpFolder = "dump";

// One file of the dump: its path relative to the backup's folder
// ("dump/toc.dat"), size in bytes and SHA-256 (lower-case hex).
struct DumpFile {
  std::string path;
  std::uint64_t size = 0;
  std::string sha256;
};

// What a backup holds and where it came from. Written once by `backup
// create`; its SHA-256 is signed into the backup-created audit record, so
// any later change to it is detected.
struct Manifest {
  int version = kManifestVersion;
  std::string id;           // e.g. 20261121T150102Z-appdb-3f9a
  std::string target_name;  // the configured target, or "(ad hoc)"
  db::TargetIdentity target;
  std::string pg_dump_version;  // "15.18"
  int jobs = 1;
  std::string snapshot_time;  // UTC, "YYYY-MM-DDTHH:MM:SSZ": when the data was read
  std::int64_t snapshot_unix_time = 0;
  std::uint64_t database_size = 0;  // pg_database_size() at the time
  std::vector<content::TableDigest> tables;
  std::vector<DumpFile> files;  // sorted by path

  std::int64_t rows() const;
  std::uint64_t dump_bytes() const;
};

nlohmann::json to_json(const Manifest& manifest);
// Reads a manifest back; the error names the first bad or missing key.
Result<Manifest> manifest_from_json(const nlohmann::json& value);

// Every regular file under `folder`/dump, with size and SHA-256, sorted by
// path, read on up to `threads` threads (at least one: the caller's);
// `progress` advances by the bytes read. Anything else there (a link, a
// device, a folder that cannot be read) is an error naming it; of several
// unreadable files, the first by path.
Result<std::vector<DumpFile>> hash_dump_files(const std::string& folder, int threads,
                                              util::Progress& progress);

}  // namespace safedb::backup
