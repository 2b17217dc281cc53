// PrivateKey::write_openssh: a new key pair on disk, as ssh-keygen writes it.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/openssh_key_file.h"
#include "crypto/secret.h"
#include "safedb/crypto/keys.h"

namespace safedb::crypto {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// Creates `path` (failing if it exists) with exactly `mode`, writes `data`
// and syncs it to disk.
Status write_new_file(const std::string& path, std::string_view data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Error::usage(fmt::format("cannot create {}: {}", path, errno_text()));
  bool ok = ::fchmod(fd, mode) == 0;  // the umask may have taken bits we want (0644)
  std::size_t written = 0;
  while (ok && written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  std::string failure = ok ? "" : errno_text();
  if (::close(fd) != 0 && ok) {
    ok = false;
    failure = errno_text();
  }
  if (!ok) {
    ::unlink(path.c_str());
    return Error::usage(fmt::format("cannot write {}: {}", path, failure));
  }
  return {};
}

}  // namespace

Status PrivateKey::write_openssh(const std::string& path, std::string_view comment) const {
  if (!native_) {
    return Error::usage(
        fmt::format("key {} signs through ssh-keygen; its private half cannot be written", path_));
  }
  if (comment.find_first_of("\r\n") != std::string_view::npos) {
    return Error::usage("a key comment must be a single line");
  }
  std::string pub_path = path + ".pub";
  for (const std::string& target : {path, pub_path}) {
    if (exists(target))
      return Error::usage(fmt::format("{} already exists; not overwriting it", target));
  }

  std::string text = format_openssh_key(seed_, public_key_.bytes(), comment);
  Status written = write_new_file(path, text, 0600);
  wipe(text.data(), text.size());
  if (!written) return written;

  std::string pub_line = public_key_.openssh();
  if (!comment.empty()) pub_line += fmt::format(" {}", comment);
  pub_line += "\n";
  Status pub_written = write_new_file(pub_path, pub_line, 0644);
  if (!pub_written) {
    ::unlink(path.c_str());  // leave no half-written key pair behind
    return pub_written;
  }
  return {};
}

}  // namespace safedb::crypto
