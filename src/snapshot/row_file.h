#pragma once

// Internal to the snapshot module: the file that holds one table's saved
// rows (docs/snapshots.md, "On disk").

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "safedb/crypto/hash.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// A snapshot's row file: created new, never over an existing file; appended
// to as rows arrive, with its SHA-256 computed on the way.
//
// The file is written behind: every 4 MiB the kernel is told to start
// writing the new piece to the disk (sync_file_range), and the piece before
// it, written by then, is waited for and dropped from the page cache. So
// the fsync before COMMIT finds little left to write, a large snapshot
// does not push the database's own pages out of the cache, and the memory
// of dropped pieces is reused for the next ones.
//
// Not thread-safe: one thread at a time.
class RowFile {
 public:
  // Fails, naming the file, if it exists or cannot be created.
  static Result<std::unique_ptr<RowFile>> create(std::string path);
  ~RowFile();  // closes the file (it stays on disk)
  RowFile(const RowFile&) = delete;
  RowFile& operator=(const RowFile&) = delete;

  // Appends `bytes`. Errors (here and below) name the file and the reason.
  Status append(std::string_view bytes);
  // Starts writing whatever was appended and not handed to the disk yet,
  // without waiting for it.
  Status start_writeback();
  // Returns once the file's contents are on disk (fsync), then drops them
  // from the page cache.
  Status sync();
  // SHA-256 (hex) of everything appended. REQUIRES: called once, after the
  // last append().
  std::string finish_sha256();

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }

 private:
  RowFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status failed(const char* what) const;  // the error for errno

  std::string path_;
  int fd_ = -1;
  crypto::Sha256Stream hash_;
  std::uint64_t size_ = 0;
  std::uint64_t started_ = 0;  // bytes before this offset are being written to the disk
  std::uint64_t dropped_ = 0;  // bytes before this offset are on the disk, out of the cache
};

}  // namespace safedb::snapshot
