// Hex and base64 (RFC 4648, standard alphabet, padded, strict).
#include <fmt/format.h>

#include "safedb/crypto/hash.h"

namespace safedb::crypto {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// How to show a byte that does not belong in an encoding.
std::string describe(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte == ' ') return "a space";
  if (byte == '\n' || byte == '\r' || byte == '\t') return "white space";
  if (byte < 0x20 || byte >= 0x7f) return fmt::format("byte 0x{:02x}", byte);
  return fmt::format("'{}'", c);
}

}  // namespace

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0x0f]);
  }
  return out;
}

Result<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Error::input(fmt::format("hex text has an odd number of digits ({})", hex.size()));
  }
  std::vector<std::uint8_t> out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int high = hex_value(hex[i]);
    int low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) {
      std::size_t at = high < 0 ? i : i + 1;
      return Error::input(fmt::format("hex text has {} at offset {}", describe(hex[at]), at));
    }
    out.push_back(static_cast<std::uint8_t>(high << 4 | low));
  }
  return out;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n =
        std::uint32_t{bytes[i]} << 16 | std::uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
    out.push_back(kBase64Alphabet[n >> 18 & 63]);
    out.push_back(kBase64Alphabet[n >> 12 & 63]);
    out.push_back(kBase64Alphabet[n >> 6 & 63]);
    out.push_back(kBase64Alphabet[n & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t n = std::uint32_t{bytes[i]} << 16;
    out.push_back(kBase64Alphabet[n >> 18 & 63]);
    out.push_back(kBase64Alphabet[n >> 12 & 63]);
    out += "==";
  } else if (rest == 2) {
    std::uint32_t n = std::uint32_t{bytes[i]} << 16 | std::uint32_t{bytes[i + 1]} << 8;
    out.push_back(kBase64Alphabet[n >> 18 & 63]);
    out.push_back(kBase64Alphabet[n >> 12 & 63]);
    out.push_back(kBase64Alphabet[n >> 6 & 63]);
    out.push_back('=');
  }
  return out;
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (base64_value(text[i]) < 0 && text[i] != '=') {
      return Error::input(fmt::format("base64 text has {} at offset {}", describe(text[i]), i));
    }
  }
  if (text.size() % 4 != 0) {
    return Error::input(fmt::format(
        "base64 text has {} characters, not a multiple of 4 (truncated or missing '=' padding)",
        text.size()));
  }
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t n = 0;
    bool last = i + 4 == text.size();
    for (std::size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (last && j >= 4 - padding) break;
      int value = base64_value(c);
      if (value < 0) {
        return Error::input(
            fmt::format("base64 text has '=' padding at offset {}, before its end", i + j));
      }
      n |= static_cast<std::uint32_t>(value) << (18 - 6 * j);
    }
    out.push_back(static_cast<std::uint8_t>(n >> 16));
    if (last && padding == 2) {
      if ((n & 0xffff) != 0)
        return Error::input("base64 text does not end canonically (stray bits before '==')");
      break;
    }
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    if (last && padding == 1) {
      if ((n & 0xff) != 0)
        return Error::input("base64 text does not end canonically (stray bits before '=')");
      break;
    }
    out.push_back(static_cast<std::uint8_t>(n));
  }
  return out;
}

}  // namespace safedb::crypto
