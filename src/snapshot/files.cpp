#include "snapshot/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "safedb/content/content.h"
#include "safedb/util/sql_quote.h"
#include "safedb/util/sync.h"

namespace safedb::snapshot {
namespace {

Status sync_fd(int fd, const std::string& path) {
  if (::fsync(fd) != 0)
    return Error::input(fmt::format("cannot sync {}: {}", path, std::strerror(errno)));
  return {};
}

}  // namespace

Status write_file_durably(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
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
  return util::sync_folder(std::filesystem::path(path).parent_path().string());
}

namespace {

// What pin_output() pins for `format`.
SavedOutput pinned_for(content::CopyFormat format) {
  SavedOutput pinned;
  for (const content::OutputSetting& s : content::text_output_settings()) {
    if (format == content::CopyFormat::text || std::string_view(s.name) == "client_encoding")
      pinned.emplace_back(s.name, s.value);
  }
  return pinned;
}

// Current values of `names`, in order.
Result<std::vector<std::string>> current_values(db::Connection& conn, const SavedOutput& names) {
  std::string read = "SELECT ";
  for (std::size_t i = 0; i < names.size(); ++i)
    read += fmt::format("{}current_setting({})", i == 0 ? "" : ", ",
                        util::quote_literal(names[i].first));
  Result<db::QueryResult> current = conn.exec(read);
  if (!current || current->rows.size() != 1)
    return Error::input("cannot read the session's output settings");
  std::vector<std::string> values;
  for (std::size_t i = 0; i < names.size(); ++i)
    values.push_back(current->at(0, i).value_or(""));
  return values;
}

}  // namespace

Result<SavedOutput> pin_output(db::Connection& conn, content::CopyFormat format) {
  SavedOutput canonical = pinned_for(format);
  // A snapshot must see every row: where row-level security would hide some
  // from this role, the COPY fails instead of saving fewer rows.
  canonical.emplace_back("row_security", "off");
  Result<std::vector<std::string>> current = current_values(conn, canonical);
  if (!current) return current.error();
  std::string set = "SELECT ";
  SavedOutput saved;
  for (std::size_t i = 0; i < canonical.size(); ++i) {
    set += fmt::format("{}set_config({}, {}, true)", i == 0 ? "" : ", ",
                       util::quote_literal(canonical[i].first),
                       util::quote_literal(canonical[i].second));
    saved.emplace_back(canonical[i].first, (*current)[i]);
  }
  if (!conn.exec(set)) return Error::input("cannot pin the output settings for the snapshot");
  return saved;
}

Result<bool> pin_keeps_input(db::Connection& conn, content::CopyFormat format) {
  SavedOutput pinned = pinned_for(format);
  std::erase_if(pinned, [](const auto& s) {
    return s.first == "extra_float_digits" || s.first == "bytea_output";
  });
  Result<std::vector<std::string>> current = current_values(conn, pinned);
  if (!current) return current.error();
  for (std::size_t i = 0; i < pinned.size(); ++i) {
    if ((*current)[i] != pinned[i].second) return false;
  }
  return true;
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
