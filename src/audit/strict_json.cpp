#include "audit/strict_json.h"

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

namespace safedb::audit {
namespace {

// Offset of the first byte that does not belong to well-formed UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
      return i;
    }
    if (i + len > text.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string describe_control(unsigned char c) {
  switch (c) {
    case '\r':
      return "a carriage return (CR): the line was rewritten with CRLF line endings";
    case '\t':
      return "a tab";
    case '\0':
      return "a NUL byte";
    default:
      return fmt::format("control character 0x{:02x}", c);
  }
}

}  // namespace

Result<nlohmann::json> parse_strict_json(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      return Error::input(fmt::format("{} at byte {}", describe_control(c), i + 1));
    }
  }
  if (const std::size_t at = invalid_utf8_at(text); at != std::string_view::npos) {
    return Error::input(fmt::format("invalid UTF-8 at byte {}", at + 1));
  }

  // One set of keys per open object; arrays push nothing. The parser calls
  // back with each key before its value, so a repeat is seen at once.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto callback = [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
        open_objects.emplace_back();
        break;
      case Event::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case Event::key:
        if (!open_objects.empty() &&
            !open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  };
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text.begin(), text.end(), callback);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at ...": keep the words.
    std::string_view what = e.what();
    if (const auto close = what.find("] "); close != std::string_view::npos) {
      what.remove_prefix(close + 2);
    }
    return Error::input(fmt::format("not valid JSON: {}", what));
  }
  if (!duplicate.empty()) {
    return Error::input(fmt::format("key \"{}\" appears twice in one object", duplicate));
  }
  return value;
}

}  // namespace safedb::audit
