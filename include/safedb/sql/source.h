#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/util/result.h"

namespace safedb::sql {

// A 1-based line and column. Columns count Unicode code points, not bytes, so
// they match what editors, GitHub annotations and SARIF viewers show.
struct Position {
  int line = 1;
  int column = 1;
  friend bool operator==(const Position&, const Position&) = default;
};

// The exact bytes of one SQL file, read once and validated: UTF-8, not binary,
// not empty. Every later step (analysis, hashing, execution) works on these
// bytes, never on a second read of the file.
class Source {
 public:
  // Reads and validates a file. Errors name the file and, for encoding
  // problems, the line and column (exit status "usage").
  static Result<Source> load(const std::string& path);
  // Validates text held in memory; `path` is used in messages only.
  static Result<Source> from_text(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  // REQUIRES: offset <= text().size().
  Position position_of(std::size_t offset) const;
  // The text of a 1-based line without its line ending; empty if out of range.
  std::string_view line_text(int line) const;
  // Byte offset at which a 1-based line starts. REQUIRES: 1 <= line <= line count.
  std::size_t line_start(int line) const {
    return line_starts_[static_cast<std::size_t>(line - 1)];
  }
  int line_count() const { return static_cast<int>(line_starts_.size()); }

 private:
  Source(std::string path, std::string text);

  std::string path_;
  std::string text_;
  std::vector<std::size_t> line_starts_;  // byte offset of each line's first byte
};

}  // namespace safedb::sql
