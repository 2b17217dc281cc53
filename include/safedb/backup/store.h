#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "safedb/backup/manifest.h"
#include "safedb/util/result.h"

namespace safedb::backup {

// The backups folder: one sub-folder per backup, named by its id. Folders
// whose name starts with ".tmp-" are backups being written (or left behind
// by a create that was killed).

// A new backup id: the UTC time, the database name (letters and digits
// only, at most 24) and 4 random hex digits: "20261121T150102Z-appdb-3f9a".
// Ids sort by time.
std::string new_backup_id(std::int64_t unix_time, const std::string& database);

// A backup's manifest as stored: its bytes (whose SHA-256 the audit log
// signs) and, when they parse, the manifest.
struct StoredManifest {
  std::string bytes;
  std::string sha256;                // of `bytes`, lower-case hex
  std::optional<Manifest> manifest;  // nullopt when the bytes are not a valid manifest
  std::string problem;               // why not, when nullopt
};

// Reads <folder>/manifest.json. A missing file is an Error with exit status
// "no" (the backup is damaged); any other read failure has status "usage".
Result<StoredManifest> read_manifest(const std::string& folder);

// One entry of the backups folder, as `backup list` shows it.
struct FolderEntry {
  std::string id;  // the folder's name
  std::string path;
  bool incomplete = false;  // a ".tmp-" folder: a create still running or killed
  std::optional<StoredManifest> stored;
  std::string problem;  // why the entry is not a readable backup; empty when it is
};

// Every sub-folder of `backups`, sorted by name; a missing folder is an empty list.
Result<std::vector<FolderEntry>> scan_backups(const std::string& backups);

}  // namespace safedb::backup
