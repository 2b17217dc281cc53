#include "safedb/util/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

namespace safedb::util {
namespace {

std::string human_bytes(double bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

}  // namespace

Progress::Progress(std::FILE* stream, bool enabled, std::string label,
                   std::optional<std::uint64_t> total)
    : stream_(stream),
      enabled_(enabled && stream != nullptr),
      label_(std::move(label)),
      total_(total && *total > 0 ? total : std::nullopt),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  finish();
}

void Progress::advance(std::uint64_t bytes) {
  done_ += bytes;
  draw(false);
}

void Progress::set(std::uint64_t done) {
  done_ = done;
  draw(false);
}

void Progress::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::string line = fmt::format("{}  {}", label_, human_bytes(static_cast<double>(done_)));
  if (total_) {
    const double share = std::min(1.0, static_cast<double>(done_) / static_cast<double>(*total_));
    line += fmt::format(" / {}  {:3.0f}%", human_bytes(static_cast<double>(*total_)), share * 100);
  }
  if (seconds > 0.5)
    line += fmt::format("  {}/s", human_bytes(static_cast<double>(done_) / seconds));
  fmt::print(stream_, "\r\033[K{}", line);
  std::fflush(stream_);
}

void Progress::finish() {
  if (!enabled_ || !drawn_) return;
  fmt::print(stream_, "\r\033[K");
  std::fflush(stream_);
  drawn_ = false;
  enabled_ = false;
}

bool progress_on_stderr() {
  const char* off = std::getenv("SAFEDB_NO_PROGRESS");
  return ::isatty(STDERR_FILENO) == 1 && (off == nullptr || *off == '\0');
}

}  // namespace safedb::util
