#include "snapshot/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "safedb/content/content.h"
#include "safedb/util/sql_quote.h"

namespace safedb::snapshot {
namespace {

// How much RowFile::append() lets pile up before starting its writeback.
constexpr std::uint64_t kWritebackBytes = 4 * 1024 * 1024;

Status sync_fd(int fd, const std::string& path) {
  if (::fsync(fd) != 0)
    return Error::input(fmt::format("cannot sync {}: {}", path, std::strerror(errno)));
  return {};
}

}  // namespace

Status write_file_durably(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error::input(fmt::format("cannot create {}: {}", temp, std::strerror(errno)));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return Error::input(fmt::format("cannot write {}: {}", temp, std::strerror(saved)));
    }
    done += static_cast<std::size_t>(n);
  }
  Status synced = sync_fd(fd, temp);
  ::close(fd);
  if (!synced) return synced;
  if (::rename(temp.c_str(), path.c_str()) != 0)
    return Error::input(fmt::format("cannot rename {}: {}", temp, std::strerror(errno)));
  return sync_folder(std::filesystem::path(path).parent_path().string());
}

Status sync_folder(const std::string& path) {
  const int dir = ::open(path.empty() ? "." : path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return Error::input(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  Status synced = sync_fd(dir, path);
  ::close(dir);
  return synced;
}

Result<std::unique_ptr<RowFile>> RowFile::create(std::string path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return Error::input(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  return std::unique_ptr<RowFile>(new RowFile(std::move(path), fd));
}

RowFile::~RowFile() {
  ::close(fd_);
}

Status RowFile::append(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Error::input(fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
    hash_.update(bytes.substr(0, static_cast<std::size_t>(n)));
    size_ += static_cast<std::uint64_t>(n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (size_ - handed_to_disk_ >= kWritebackBytes) start_writeback();
  return {};
}

void RowFile::start_writeback() {
  if (size_ == handed_to_disk_) return;
#ifdef __linux__
  // Only a hint: the fsync in sync() is what makes the file durable and
  // reports write errors, so a failure here changes nothing.
  (void)::sync_file_range(fd_, static_cast<off_t>(handed_to_disk_),
                          static_cast<off_t>(size_ - handed_to_disk_), SYNC_FILE_RANGE_WRITE);
#endif
  handed_to_disk_ = size_;
}

Status RowFile::sync() {
  return sync_fd(fd_, path_);
}

std::string RowFile::finish_sha256() {
  return crypto::to_hex(hash_.finish());
}

Result<SavedOutput> pin_output(db::Connection& conn) {
  std::string read = "SELECT ";
  std::string set = "SELECT ";
  const auto canonical = content::text_output_settings();
  for (std::size_t i = 0; i < canonical.size(); ++i) {
    read += fmt::format("{}current_setting({})", i == 0 ? "" : ", ",
                        util::quote_literal(canonical[i].name));
    set += fmt::format("{}set_config({}, {}, true)", i == 0 ? "" : ", ",
                       util::quote_literal(canonical[i].name),
                       util::quote_literal(canonical[i].value));
  }
  Result<db::QueryResult> current = conn.exec(read);
  if (!current || current->rows.size() != 1)
    return Error::input("cannot read the session's output settings");
  SavedOutput saved;
  for (std::size_t i = 0; i < canonical.size(); ++i)
    saved.emplace_back(canonical[i].name, current->at(0, i).value_or(""));
  if (!conn.exec(set)) return Error::input("cannot pin the output settings for the snapshot");
  return saved;
}

Status restore_output(db::Connection& conn, const SavedOutput& saved) {
  std::string set = "SELECT ";
  for (std::size_t i = 0; i < saved.size(); ++i) {
    set += fmt::format("{}set_config({}, {}, true)", i == 0 ? "" : ", ",
                       util::quote_literal(saved[i].first), util::quote_literal(saved[i].second));
  }
  if (!conn.exec(set)) return Error::input("cannot restore the session's output settings");
  return {};
}

}  // namespace safedb::snapshot
