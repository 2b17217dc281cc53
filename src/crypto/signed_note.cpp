// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys (type 0x01).
#include "safedb/crypto/signed_note.h"

#include <fmt/format.h>

#include <algorithm>

#include "crypto/ed25519.h"
#include "crypto/ssh_wire.h"
#include "safedb/crypto/hash.h"

namespace safedb::crypto {
namespace {

constexpr std::string_view kDash = "\u2014 ";  // em dash, space
constexpr std::uint8_t kEd25519Type = 0x01;
constexpr std::size_t kMaxSignatures = 100;

Error rejected(std::string message) {
  return Error(ExitCode::no, std::move(message));
}

// Decodes one UTF-8 code point at `text[i]`, advancing `i`; -1 if malformed.
long next_code_point(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  unsigned char first = byte(i);
  std::size_t length = first < 0x80           ? 1
                       : (first >> 5) == 0x6  ? 2
                       : (first >> 4) == 0xe  ? 3
                       : (first >> 3) == 0x1e ? 4
                                              : 0;
  if (length == 0 || i + length > text.size()) return -1;
  long code = length == 1 ? first : first & (0x7f >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return -1;
    code = code << 6 | (byte(i + k) & 0x3f);
  }
  static constexpr long kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return -1;
  i += length;
  return code;
}

bool is_unicode_space(long c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
         c == 0x3000;
}

// Notes must be UTF-8 without control characters other than newline.
Status check_characters(std::string_view text, std::string_view what) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t at = i;
    long c = next_code_point(text, i);
    if (c < 0) return Error::input(fmt::format("{} is not valid UTF-8 (at byte {})", what, at));
    if (c < 0x20 && c != '\n') {
      return Error::input(
          fmt::format("{} holds control character 0x{:02x} (at byte {})", what, c, at));
    }
  }
  return {};
}

Status check_key_name(std::string_view name) {
  if (name.empty()) return Error::input("a note key name must not be empty");
  for (std::size_t i = 0; i < name.size();) {
    long c = next_code_point(name, i);
    if (c < 0) return Error::input(fmt::format("note key name \"{}\" is not valid UTF-8", name));
    if (is_unicode_space(c) || c == '+' || c < 0x20) {
      return Error::input(fmt::format(
          "note key name \"{}\" must not contain spaces, control characters or '+'", name));
    }
  }
  return {};
}

std::vector<std::uint8_t> typed_key(const PublicKey& key) {
  std::vector<std::uint8_t> out;
  out.reserve(1 + key.bytes().size());
  out.push_back(kEd25519Type);
  wire::put_bytes(out, key.bytes());
  return out;
}

std::uint32_t read_u32(std::span<const std::uint8_t> bytes) {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 |
         std::uint32_t{bytes[2]} << 8 | std::uint32_t{bytes[3]};
}

}  // namespace

std::uint32_t note_key_hash(std::string_view key_name, const PublicKey& key) {
  std::string input(key_name);
  input.push_back('\n');
  std::vector<std::uint8_t> typed = typed_key(key);
  input.append(typed.begin(), typed.end());
  return read_u32(sha256(input));
}

std::string note_verifier_key(std::string_view key_name, const PublicKey& key) {
  return fmt::format("{}+{:08x}+{}", key_name, note_key_hash(key_name, key),
                     base64_encode(typed_key(key)));
}

Result<NoteVerifierKey> parse_note_verifier_key(std::string_view text) {
  std::size_t first = text.find('+');
  std::size_t second = first == std::string_view::npos ? first : text.find('+', first + 1);
  if (second == std::string_view::npos) {
    return Error::input("a note verifier key has the form <name>+<hash>+<key>");
  }
  std::string_view name = text.substr(0, first);
  std::string_view hash = text.substr(first + 1, second - first - 1);
  Status name_ok = check_key_name(name);
  if (!name_ok) return name_ok.error();
  Result<std::vector<std::uint8_t>> hash_bytes = from_hex(hash);
  if (hash.size() != 8 || !hash_bytes || to_hex(*hash_bytes) != hash) {
    return Error::input(
        fmt::format("note verifier key hash \"{}\" is not 8 lower-case hex digits", hash));
  }
  Result<std::vector<std::uint8_t>> typed = base64_decode(text.substr(second + 1));
  if (!typed) return typed.error().within("note verifier key");
  if (typed->empty() || (*typed)[0] != kEd25519Type) {
    return Error::input("note verifier key is not an Ed25519 key (type byte 0x01)");
  }
  if (typed->size() != 33) {
    return Error::input(
        fmt::format("note verifier key has {} key bytes, not 32", typed->size() - 1));
  }
  std::array<std::uint8_t, 32> bytes{};
  std::copy(typed->begin() + 1, typed->end(), bytes.begin());
  NoteVerifierKey result{std::string(name), PublicKey(bytes)};
  if (note_key_hash(name, result.key) != read_u32(*hash_bytes)) {
    return Error::input(
        fmt::format("note verifier key hash {} does not match its name and key", hash));
  }
  return result;
}

Result<std::string> sign_note(std::string_view text, std::string_view key_name,
                              const PrivateKey& key) {
  Status name_ok = check_key_name(key_name);
  if (!name_ok) return name_ok.error();
  if (text.empty() || !text.ends_with('\n'))
    return Error::input("note text must end with a newline");
  if (text.front() == '\n' || text.find("\n\n") != std::string_view::npos) {
    return Error::input("note text must not contain an empty line");
  }
  Status characters = check_characters(text, "note text");
  if (!characters) return characters.error();
  if (!key.native()) {
    return Error::usage(fmt::format(
        "signed notes need a raw Ed25519 signature, which ssh-keygen cannot make: key {} must be "
        "an unencrypted key file",
        key.path()));
  }
  Result<std::array<std::uint8_t, 64>> sig = key.sign_raw(wire::as_bytes(text));
  if (!sig) return sig.error();
  std::vector<std::uint8_t> payload;
  wire::put_u32(payload, note_key_hash(key_name, key.public_key()));
  wire::put_bytes(payload, *sig);
  return fmt::format("{}\n{}{} {}\n", text, kDash, key_name, base64_encode(payload));
}

Result<std::string> verify_note(std::string_view note, std::string_view key_name,
                                const PublicKey& key) {
  Status characters = check_characters(note, "the note");
  if (!characters) return rejected(characters.error().message());
  std::size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos)
    return rejected("the note has no signatures (no empty line before them)");
  std::string_view text = note.substr(0, split + 1);
  std::string_view signatures = note.substr(split + 2);
  if (signatures.empty() || !signatures.ends_with('\n')) {
    return rejected("the note's signature lines must end with a newline");
  }

  const std::uint32_t want_hash = note_key_hash(key_name, key);
  bool verified = false;
  std::size_t count = 0;
  while (!signatures.empty()) {
    std::size_t newline = signatures.find('\n');
    std::string_view line = signatures.substr(0, newline);
    signatures.remove_prefix(newline + 1);
    if (++count > kMaxSignatures) {
      return rejected(fmt::format("the note has more than {} signatures", kMaxSignatures));
    }
    if (!line.starts_with(kDash)) {
      return rejected(
          fmt::format("note signature line {} does not start with an em dash and a space", count));
    }
    line.remove_prefix(kDash.size());
    std::size_t space = line.find(' ');
    std::string_view name = line.substr(0, space);
    std::string_view encoded = space == std::string_view::npos ? "" : line.substr(space + 1);
    Result<std::vector<std::uint8_t>> payload = base64_decode(encoded);
    if (!check_key_name(name) || encoded.empty() || !payload || payload->size() < 5) {
      return rejected(fmt::format("note signature line {} is malformed", count));
    }
    if (name != key_name || read_u32(*payload) != want_hash) continue;  // another key's
    std::span<const std::uint8_t> sig = std::span<const std::uint8_t>(*payload).subspan(4);
    if (!ed25519::verify(key.bytes(), wire::as_bytes(text), sig)) {
      return rejected(
          fmt::format("the note's signature by {} ({}) does not verify: the note was changed",
                      key_name, key.fingerprint()));
    }
    verified = true;
  }
  if (!verified) {
    return rejected(fmt::format("the note carries no signature by {} (key hash {:08x}, {})",
                                key_name, want_hash, key.fingerprint()));
  }
  return std::string(text);
}

}  // namespace safedb::crypto
