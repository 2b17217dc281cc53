#pragma once

#include <string>

namespace safedb::test {

// A fresh empty folder under $TMPDIR (or /tmp), removed with everything in it
// when the object dies. The one temporary-folder helper of the test suite.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  const std::string& str() const { return path_; }
  // path()/name
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/name (creating sub-folders) and returns the full path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace safedb::test
