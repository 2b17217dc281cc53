#pragma once

// Internal to the snapshot module: durable files and the output settings a
// snapshot pins for its COPY without changing the run's own session.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "safedb/crypto/hash.h"
#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// Writes `text` to `path` through a temporary file, fsync and rename, then
// syncs the folder: the file is either complete or absent after a crash.
Status write_file_durably(const std::string& path, const std::string& text);

// fsyncs a folder, so that the names created in it survive a crash.
Status sync_folder(const std::string& path);

// A snapshot's row file (docs/snapshots.md): created new, never over an
// existing file; appended to as rows arrive, with its SHA-256 computed on
// the way. Every few MiB the kernel is told to start writing what was
// appended (sync_file_range), so that sync() before COMMIT finds little left
// to write. Not thread-safe: one thread at a time.
class RowFile {
 public:
  // Fails, naming the file, if it exists or cannot be created.
  static Result<std::unique_ptr<RowFile>> create(std::string path);
  ~RowFile();  // closes the file (it stays on disk)
  RowFile(const RowFile&) = delete;
  RowFile& operator=(const RowFile&) = delete;

  // Appends `bytes`; the error names the file and the reason.
  Status append(std::string_view bytes);
  // Starts writing whatever was appended and not handed to the disk yet,
  // without waiting for it.
  void start_writeback();
  // Returns once the file's contents are on disk (fsync).
  Status sync();
  // SHA-256 (hex) of everything appended. REQUIRES: called once, after the
  // last append().
  std::string finish_sha256();

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }

 private:
  RowFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_ = -1;
  crypto::Sha256Stream hash_;
  std::uint64_t size_ = 0;
  std::uint64_t handed_to_disk_ = 0;  // bytes before this offset are being written back
};

// The run's values of the output settings content::pin_text_output() pins.
using SavedOutput = std::vector<std::pair<std::string, std::string>>;

// Pins the output settings for the rest of the transaction only (set_config
// with is_local) and returns the values they had, so that a snapshot's COPY
// prints canonical text while the migration's own statements keep the
// session's settings (a TimeZone change would change what its timestamp
// literals mean).
Result<SavedOutput> pin_output(db::Connection& conn);
// Puts the saved values back, for the rest of the transaction.
Status restore_output(db::Connection& conn, const SavedOutput& saved);

}  // namespace safedb::snapshot
