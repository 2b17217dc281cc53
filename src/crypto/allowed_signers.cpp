// OpenSSH allowed_signers files (ssh-keygen(1), ALLOWED SIGNERS), read the way
// ssh-keygen -Y verify reads them.
#include "safedb/crypto/allowed_signers.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "crypto/ssh_time.h"
#include "safedb/crypto/hash.h"

namespace safedb::crypto {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

void skip_blanks(std::string_view& text) {
  while (!text.empty() && is_blank(text.front()))
    text.remove_prefix(1);
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  for (;;) {
    std::size_t comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

// A field ending at a blank; a field starting with '"' runs to the next '"'.
Result<std::string_view> next_field(std::string_view& text) {
  std::string_view field;
  if (!text.empty() && text.front() == '"') {
    std::size_t close = text.find('"', 1);
    if (close == std::string_view::npos) return Error::input("missing closing quote");
    field = text.substr(1, close - 1);
    text.remove_prefix(close + 1);
    if (!text.empty() && !is_blank(text.front())) {
      return Error::input("text follows the closing quote without a space");
    }
  } else {
    std::size_t end = 0;
    while (end < text.size() && !is_blank(text[end]))
      ++end;
    field = text.substr(0, end);
    text.remove_prefix(end);
  }
  skip_blanks(text);
  return field;
}

// The options field: up to the first blank outside double quotes.
Result<std::string_view> options_field(std::string_view& text) {
  bool quoted = false;
  std::size_t end = 0;
  for (; end < text.size() && (quoted || !is_blank(text[end])); ++end) {
    if (text[end] == '\\' && end + 1 < text.size() && text[end + 1] == '"') {
      ++end;
    } else if (text[end] == '"') {
      quoted = !quoted;
    }
  }
  if (quoted) return Error::input("options have an unterminated quote");
  std::string_view field = text.substr(0, end);
  text.remove_prefix(end);
  skip_blanks(text);
  return field;
}

// A double-quoted option value; \" stands for a quote.
Result<std::string> quoted_value(std::string_view& options, std::string_view option) {
  if (options.empty() || options.front() != '"') {
    return Error::input(
        fmt::format("the value of {} must be in double quotes ({}=\"...\")", option, option));
  }
  std::string value;
  std::size_t i = 1;
  for (; i < options.size() && options[i] != '"'; ++i) {
    if (options[i] == '\\' && i + 1 < options.size() && options[i + 1] == '"') ++i;
    value.push_back(options[i]);
  }
  if (i == options.size())
    return Error::input(fmt::format("the value of {} has no closing quote", option));
  options.remove_prefix(i + 1);
  return value;
}

Status parse_options(std::string_view options, AllowedSigner& entry) {
  bool has_namespaces = false;
  while (!options.empty()) {
    std::string_view before = options;
    if (starts_with_ignoring_case(options, "cert-authority")) {
      options.remove_prefix(std::string_view("cert-authority").size());
      entry.cert_authority = true;
    } else if (starts_with_ignoring_case(options, "namespaces=")) {
      options.remove_prefix(std::string_view("namespaces=").size());
      if (has_namespaces) return Error::input("namespaces is given twice");
      Result<std::string> value = quoted_value(options, "namespaces");
      if (!value) return value.error();
      entry.namespaces = split_commas(*value);
      has_namespaces = true;
    } else if (starts_with_ignoring_case(options, "valid-after=") ||
               starts_with_ignoring_case(options, "valid-before=")) {
      bool after = starts_with_ignoring_case(options, "valid-after=");
      std::string_view name = after ? "valid-after" : "valid-before";
      options.remove_prefix(name.size() + 1);
      std::optional<std::int64_t>& slot = after ? entry.valid_after : entry.valid_before;
      if (slot) return Error::input(fmt::format("{} is given twice", name));
      Result<std::string> value = quoted_value(options, name);
      if (!value) return value.error();
      Result<std::int64_t> when = parse_ssh_time(*value);
      if (!when) return when.error().within(std::string(name));
      slot = *when;
    }
    if (options.empty()) break;
    if (options.front() != ',' || options.data() == before.data()) {
      std::string_view rest = options.substr(0, options.find(','));
      return Error::input(
          fmt::format("unknown option \"{}\"", options.data() == before.data() ? rest : options));
    }
    options.remove_prefix(1);
    if (options.empty()) return Error::input("options end with a comma");
  }
  if (entry.valid_after && entry.valid_before && *entry.valid_before <= *entry.valid_after) {
    return Error::input("valid-before is not after valid-after");
  }
  return {};
}

bool is_key_type(std::string_view field) {
  return field.starts_with("ssh-") || field.starts_with("ecdsa-") || field.starts_with("sk-") ||
         field.ends_with("@openssh.com");
}

// One non-comment line. Returns no entry for a key of another type.
Result<std::optional<AllowedSigner>> parse_line(std::string_view line) {
  AllowedSigner entry{{}, PublicKey(std::array<std::uint8_t, 32>{}), {}, {}, {}, false, 0};
  Result<std::string_view> principals = next_field(line);
  if (!principals) return principals.error().within("principals");
  if (principals->empty()) return Error::input("no principals");
  if (is_key_type(*principals))
    return Error::input("the line starts with a key: principals are missing");
  if (line.empty()) return Error::input("no key after the principals");
  entry.principals = split_commas(*principals);

  std::string_view rest = line;
  Result<std::string_view> type = next_field(rest);
  if (!type) return type.error();
  if (!is_key_type(*type)) {
    Result<std::string_view> options = options_field(line);
    if (!options) return options.error();
    Status parsed = parse_options(*options, entry);
    if (!parsed) return parsed.error();
    if (line.empty()) return Error::input("no key after the options");
  }
  std::string_view key_text = line;
  std::string_view key_type = key_text.substr(0, key_text.find_first_of(" \t"));
  if (key_type != "ssh-ed25519" && is_key_type(key_type)) return std::optional<AllowedSigner>();
  Result<PublicKey> key = PublicKey::parse_openssh(key_text);
  if (!key) return key.error();
  entry.key = *key;
  return std::optional<AllowedSigner>(std::move(entry));
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace

Result<AllowedSigners> AllowedSigners::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::usage(fmt::format("cannot read allowed signers file {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error::usage(fmt::format("cannot read allowed signers file {}", path));
  return parse(text.str(), path);
}

std::string AllowedSigners::digest() const {
  return to_hex(sha256(text_));
}

Result<AllowedSigners> AllowedSigners::parse(std::string_view text, const std::string& name) {
  AllowedSigners signers;
  signers.name_ = name;
  signers.text_ = text;
  std::vector<std::string> problems;
  int number = 0;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    skip_blanks(line);
    if (line.empty() || line.front() == '#') continue;
    Result<std::optional<AllowedSigner>> entry = parse_line(line);
    if (!entry) {
      problems.push_back(fmt::format("{}:{}: {}", name, number, entry.error().message()));
    } else if (*entry) {
      (*entry)->line = number;
      signers.entries_.push_back(std::move(**entry));
    }
  }
  if (!problems.empty()) return Error::usage(join(problems, "\n"));
  return signers;
}

Result<std::vector<std::string>> AllowedSigners::principals_for(const PublicKey& key,
                                                                std::string_view ns,
                                                                std::int64_t when) const {
  std::vector<std::string> principals;
  std::vector<std::string> refusals;
  std::string who = fmt::format("key {}", key.fingerprint());
  for (const AllowedSigner& entry : entries_) {
    if (entry.cert_authority || entry.key != key) continue;
    std::string where = fmt::format("{}:{}", name_, entry.line);
    if (!entry.namespaces.empty() && !matches_pattern_list(entry.namespaces, ns)) {
      refusals.push_back(fmt::format("{} may not sign in namespace \"{}\" ({} allows only \"{}\")",
                                     who, ns, where, join(entry.namespaces, ",")));
    } else if (entry.valid_after && when < *entry.valid_after) {
      refusals.push_back(fmt::format("{} is not valid yet: valid from {} ({}), signature time {}",
                                     who, format_utc(*entry.valid_after), where, format_utc(when)));
    } else if (entry.valid_before && when > *entry.valid_before) {
      refusals.push_back(fmt::format("{} has expired: valid until {} ({}), signature time {}", who,
                                     format_utc(*entry.valid_before), where, format_utc(when)));
    } else {
      for (const std::string& principal : entry.principals) {
        if (std::find(principals.begin(), principals.end(), principal) == principals.end()) {
          principals.push_back(principal);
        }
      }
    }
  }
  if (!principals.empty()) return principals;
  if (refusals.empty()) {
    return Error(ExitCode::no, fmt::format("{} is not in the allowed signers file {}", who, name_));
  }
  return Error(ExitCode::no, join(refusals, "; "));
}

}  // namespace safedb::crypto
