#include "safedb/backup/pg_tools.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <regex>

#include "safedb/util/process.h"

namespace safedb::backup {
namespace {

namespace fs = std::filesystem;

bool executable(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// The highest /usr/lib/postgresql/<version>/bin/<name>, if any.
std::optional<std::string> debian_program(const std::string& name) {
  std::error_code ec;
  std::vector<std::pair<double, fs::path>> found;
  for (const fs::directory_entry& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path candidate = e.path() / "bin" / name;
    if (!executable(candidate)) continue;
    double version = 0;
    const std::string folder = e.path().filename().string();
    std::from_chars(folder.data(), folder.data() + folder.size(), version);
    found.emplace_back(version, candidate);
  }
  if (found.empty()) return std::nullopt;
  std::sort(found.begin(), found.end());
  return found.back().second.string();
}

std::optional<std::string> in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? "" : dirs.substr(colon + 1);
    if (!dir.empty() && executable(fs::path(dir) / name)) return (fs::path(dir) / name).string();
  }
  return std::nullopt;
}

}  // namespace

int PgProgram::major() const {
  return major_of(version_num);
}

int version_num_of(const std::string& version) {
  int parts[3] = {0, 0, 0};
  const char* p = version.data();
  const char* end = version.data() + version.size();
  for (int i = 0; i < 3 && p < end; ++i) {
    auto [next, ec] = std::from_chars(p, end, parts[i]);
    if (ec != std::errc()) break;
    p = next < end && *next == '.' ? next + 1 : end;
  }
  return parts[0] >= 10 ? parts[0] * 10000 + parts[1]
                        : parts[0] * 10000 + parts[1] * 100 + parts[2];
}

int major_of(int version_num) {
  return version_num >= 100000 ? version_num / 10000 * 10000 : version_num / 100 * 100;
}

std::string major_name(int version_num) {
  return version_num >= 100000 ? fmt::format("{}", version_num / 10000)
                               : fmt::format("{}.{}", version_num / 10000, version_num / 100 % 100);
}

Result<PgProgram> find_program(const std::string& name, const std::optional<std::string>& pg_bin) {
  std::optional<std::string> path;
  std::string looked;
  if (pg_bin) {
    if (executable(fs::path(*pg_bin) / name)) path = (fs::path(*pg_bin) / name).string();
    looked = fmt::format("in pg_bin {}", *pg_bin);
  } else {
    path = debian_program(name);
    if (!path) path = in_path(name);
    looked = "in /usr/lib/postgresql/*/bin or PATH; install postgresql-client or set pg_bin";
  }
  if (!path) return Error::usage(fmt::format("{} not found ({})", name, looked));

  Result<util::ProcessResult> ran = util::run_process({*path, "--version"});
  if (!ran) return ran.error();
  // "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "pg_dump (PostgreSQL) 9.6.24"
  static const std::regex kVersion(R"(\(PostgreSQL\) (\d+)\.(\d+)(?:\.(\d+))?)");
  std::smatch m;
  if (ran->exit_code != 0 || !std::regex_search(ran->out, m, kVersion)) {
    std::string said = ran->out.empty() ? ran->err : ran->out;
    if (const std::size_t nl = said.find('\n'); nl != std::string::npos) said.resize(nl);
    return Error::usage(fmt::format("{} --version did not name a PostgreSQL version (it said: {})",
                                    *path, said.empty() ? "nothing" : said));
  }
  PgProgram program;
  program.path = *path;
  const int a = std::stoi(m[1].str());
  const int b = std::stoi(m[2].str());
  const int c = m[3].matched ? std::stoi(m[3].str()) : 0;
  if (a >= 10) {
    program.version = fmt::format("{}.{}", a, b);
    program.version_num = a * 10000 + b;
  } else {
    program.version = fmt::format("{}.{}.{}", a, b, c);
    program.version_num = a * 10000 + b * 100 + c;
  }
  return program;
}

}  // namespace safedb::backup
