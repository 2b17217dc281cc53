#include "safedb/sql/source.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>

namespace safedb::sql {
namespace {

// Returns the offset of the first byte that is not part of valid UTF-8
// (overlongs, surrogates and code points above U+10FFFF are invalid).
std::optional<std::size_t> first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Most SQL is ASCII: skip eight bytes at a time while no high bit is set.
    while (i + 8 <= s.size()) {
      std::uint64_t word;
      std::memcpy(&word, s.data() + i, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::nullopt;
}

}  // namespace

Source::Source(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.reserve(text_.size() / 32 + 16);  // SQL lines are rarely shorter
  line_starts_.push_back(0);
  const char* begin = text_.data();
  const char* end = begin + text_.size();
  for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, '\n', end - p)));) {
    ++p;
    line_starts_.push_back(static_cast<std::size_t>(p - begin));
  }
}

Result<Source> Source::load(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error::input(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode))
    return Error::input(fmt::format("{}: is a directory, not a SQL file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::input(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  // Read straight into the string: one allocation of the size stat reports,
  // then whatever a growing file or a pipe still holds.
  std::string text(S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) : 0, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk), in.gcount() > 0)
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return Error::input(fmt::format("{}: read error", path));
  return from_text(path, std::move(text));
}

Result<Source> Source::from_text(std::string path, std::string text) {
  if (text.empty()) return Error::input(fmt::format("{}: file is empty", path));
  Source source(std::move(path), std::move(text));
  const std::string& t = source.text_;
  if (auto nul = t.find('\0'); nul != std::string::npos) {
    Position p = source.position_of(nul);
    return Error::input(fmt::format("{}:{}:{}: binary file (NUL byte); expected SQL text",
                                    source.path_, p.line, p.column));
  }
  if (auto bad = first_invalid_utf8(t)) {
    Position p = source.position_of(*bad);
    return Error::input(
        fmt::format("{}:{}:{}: invalid UTF-8 (byte 0x{:02x}); SQL files must be UTF-8",
                    source.path_, p.line, p.column, static_cast<unsigned char>(t[*bad])));
  }
  const bool blank = std::all_of(t.begin(), t.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  });
  if (blank) return Error::input(fmt::format("{}: file holds only white space", source.path_));
  return source;
}

Position Source::position_of(std::size_t offset) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const std::size_t line_index = static_cast<std::size_t>(it - line_starts_.begin()) - 1;
  int column = 1;
  for (std::size_t i = line_starts_[line_index]; i < offset; ++i) {
    // Count code points: every byte that is not a UTF-8 continuation byte.
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  }
  return {static_cast<int>(line_index) + 1, column};
}

std::string_view Source::line_text(int line) const {
  if (line < 1 || line > line_count()) return {};
  std::size_t begin = line_starts_[static_cast<std::size_t>(line - 1)];
  std::size_t end =
      line < line_count() ? line_starts_[static_cast<std::size_t>(line)] : text_.size();
  std::string_view view(text_.data() + begin, end - begin);
  while (!view.empty() && (view.back() == '\n' || view.back() == '\r'))
    view.remove_suffix(1);
  return view;
}

}  // namespace safedb::sql
