#include "crypto/armor.h"

#include <fmt/format.h>

#include "crypto/secret.h"
#include "safedb/crypto/hash.h"
#include "safedb/util/text.h"

namespace safedb::crypto {
namespace {

using util::trim;

constexpr std::size_t kColumns = 70;  // as OpenSSH writes

std::string begin_line(std::string_view label) {
  return fmt::format("-----BEGIN {}-----", label);
}
std::string end_line(std::string_view label) {
  return fmt::format("-----END {}-----", label);
}

}  // namespace

std::string armor(std::span<const std::uint8_t> blob, std::string_view label) {
  std::string encoded = base64_encode(blob);
  std::string out;
  // One allocation: for private keys, no stray copies left in freed memory.
  out.reserve(encoded.size() + encoded.size() / kColumns + 2 * label.size() + 40);
  out += begin_line(label) + "\n";
  for (std::size_t i = 0; i < encoded.size(); i += kColumns) {
    out.append(encoded, i, kColumns);
    out.push_back('\n');
  }
  out += end_line(label) + "\n";
  wipe(encoded.data(), encoded.size());
  return out;
}

bool looks_armored(std::string_view text, std::string_view label) {
  return trim(text).starts_with(begin_line(label));
}

Result<std::vector<std::uint8_t>> dearmor(std::string_view text, std::string_view label) {
  text = trim(text);
  std::string begin = begin_line(label);
  std::string end = end_line(label);
  if (!text.starts_with(begin))
    return Error::input(fmt::format("does not start with \"{}\"", begin));
  text.remove_prefix(begin.size());
  std::size_t end_at = text.find(end);
  if (end_at == std::string_view::npos) return Error::input(fmt::format("has no \"{}\" line", end));
  if (end_at + end.size() != text.size()) {
    return Error::input(fmt::format("has text after the \"{}\" line", end));
  }
  std::string_view body = text.substr(0, end_at);
  if (body.empty() || (body.front() != '\n' && !body.starts_with("\r\n"))) {
    return Error::input(fmt::format("has text on the \"{}\" line", begin));
  }
  std::string joined;
  joined.reserve(body.size());
  std::size_t line_start = 0;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    if (i < body.size() && body[i] != '\n') continue;
    std::string_view line = body.substr(line_start, i - line_start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    joined.append(line);
    line_start = i + 1;
  }
  if (joined.empty()) return Error::input("armour holds no data");
  Result<std::vector<std::uint8_t>> blob = base64_decode(joined);
  wipe(joined.data(), joined.size());
  if (!blob) return blob.error().within("armour");
  return blob;
}

}  // namespace safedb::crypto
