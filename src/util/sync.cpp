#include "safedb/util/sync.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace safedb::util {

Status sync_folder(const std::string& path) {
  const char* folder = path.empty() ? "." : path.c_str();
  const int fd = ::open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::input(fmt::format("cannot sync {}: {}", folder, std::strerror(errno)));
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0) return Error::input(fmt::format("cannot sync {}: {}", folder, std::strerror(e)));
  return {};
}

}  // namespace safedb::util
