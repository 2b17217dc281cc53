#include "safedb/audit/record.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "audit/strict_json.h"
#include "safedb/crypto/hash.h"
#include "safedb/util/utc_time.h"

namespace safedb::audit {

using util::format_utc;
using util::now_unix;
using util::parse_utc;
namespace {

constexpr std::string_view kSigMember = ",\"sig\":\"";
constexpr std::array<std::string_view, 9> kFields = {"v",   "seq",  "time",    "type", "actor",
                                                     "key", "prev", "payload", "sig"};

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

bool is_lower_hex(std::string_view text, std::size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool valid_fingerprint(std::string_view text) {
  constexpr std::string_view kPrefix = "SHA256:";
  if (text.size() != kPrefix.size() + 43 || !text.starts_with(kPrefix)) return false;
  text.remove_prefix(kPrefix.size());
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c != '=' && is_base64_char(c); });
}

const nlohmann::json* member(const nlohmann::json& object, std::string_view name) {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

Result<std::string> string_field(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = member(object, name);
  if (value == nullptr) return Error::input(fmt::format("missing field \"{}\"", name));
  if (!value->is_string()) return Error::input(fmt::format("field \"{}\" is not a string", name));
  return value->get<std::string>();
}

Status check_checkpoint_payload(const nlohmann::json& payload) {
  for (const auto& [name, value] : payload.items()) {
    if (name != "origin" && name != "size" && name != "root" && name != "note") {
      return Error::input(fmt::format("checkpoint payload has an unknown field \"{}\"", name));
    }
  }
  auto origin = string_field(payload, "origin");
  if (!origin) return origin.error().within("checkpoint payload");
  const nlohmann::json* size = member(payload, "size");
  if (size == nullptr || !size->is_number_unsigned()) {
    return Error::input("checkpoint payload: \"size\" is missing or not a whole number");
  }
  auto root = string_field(payload, "root");
  if (!root) return root.error().within("checkpoint payload");
  auto decoded = crypto::base64_decode(*root);
  if (!decoded || decoded->size() != 32) {
    return Error::input("checkpoint payload: \"root\" is not the base64 of a 32-byte hash");
  }
  if (const nlohmann::json* note = member(payload, "note"); note != nullptr && !note->is_string()) {
    return Error::input("checkpoint payload: \"note\" is not a string");
  }
  return {};
}

}  // namespace

bool valid_type_name(std::string_view type) {
  if (type.empty() || type.size() > 64 || type.front() < 'a' || type.front() > 'z') return false;
  return std::all_of(type.begin(), type.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool valid_principal(std::string_view principal) {
  if (principal.empty() || principal.size() > 256) return false;
  return std::none_of(principal.begin(), principal.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F || c == ',' || c == '"' || c == '\\' || c == '*' || c == '?';
  });
}

Status check_payload(std::string_view type, const nlohmann::json& payload) {
  if (!payload.is_object()) return Error::input("payload is not an object");
  if (type == types::log_start) {
    auto log_id = string_field(payload, "log_id");
    if (!log_id) return log_id.error().within("log-start payload");
    if (!is_lower_hex(*log_id, 32)) {
      return Error::input("log-start payload: \"log_id\" is not 32 lower-case hex digits");
    }
  } else if (type == types::intent || type == types::outcome) {
    auto run_id = string_field(payload, "run_id");
    if (!run_id) return run_id.error().within(fmt::format("{} payload", type));
    if (run_id->empty()) return Error::input(fmt::format("{} payload: \"run_id\" is empty", type));
  } else if (type == types::checkpoint) {
    return check_checkpoint_payload(payload);
  }
  return {};
}

Result<SignedLine> split_signature(std::string_view line) {
  const std::size_t at = line.rfind(kSigMember);
  if (at == std::string_view::npos || !line.ends_with("\"}")) {
    return Error::input("the line does not end with a \"sig\" member");
  }
  const std::size_t begin = at + kSigMember.size();
  const std::size_t end = line.size() - 2;
  if (begin > end) return Error::input("the line does not end with a \"sig\" member");
  std::string_view sig = line.substr(begin, end - begin);
  if (sig.empty() || !std::all_of(sig.begin(), sig.end(), is_base64_char)) {
    return Error::input("the \"sig\" member is not base64");
  }
  std::string body;
  body.reserve(at + 1);
  body.append(line.substr(0, at));
  body.push_back('}');
  return SignedLine{std::move(body), sig};
}

Result<Record> parse_record(std::string_view line) {
  if (line.size() > kMaxLineBytes) {
    return Error::input(fmt::format("the line is longer than {} bytes", kMaxLineBytes));
  }
  auto parsed = parse_strict_json(line);
  if (!parsed) return parsed.error();
  auto split = split_signature(line);
  if (!split) return split.error();
  const nlohmann::json& object = *parsed;
  if (!object.is_object()) return Error::input("the line is not a JSON object");
  for (const auto& [name, value] : object.items()) {
    if (std::find(kFields.begin(), kFields.end(), name) == kFields.end()) {
      return Error::input(fmt::format("unknown field {}", nlohmann::json(name).dump()));
    }
  }

  Record record;
  const nlohmann::json* version = member(object, "v");
  if (version == nullptr) return Error::input("missing field \"v\"");
  if (!version->is_number_unsigned() || version->get<std::uint64_t>() != kFormatVersion) {
    return Error::input(fmt::format("format version {} is not supported (expected {})",
                                    version->dump(), kFormatVersion));
  }
  const nlohmann::json* seq = member(object, "seq");
  if (seq == nullptr || !seq->is_number_unsigned()) {
    return Error::input("field \"seq\" is missing or not a whole number");
  }
  record.seq = seq->get<std::uint64_t>();

  auto time = string_field(object, "time");
  if (!time) return time.error();
  auto unix_time = parse_utc(*time);
  if (!unix_time) return unix_time.error();
  record.time = std::move(time).value();
  record.unix_time = *unix_time;

  auto type = string_field(object, "type");
  if (!type) return type.error();
  if (!valid_type_name(*type)) {
    return Error::input(
        fmt::format("type {} is not a valid record type", nlohmann::json(*type).dump()));
  }
  record.type = std::move(type).value();

  auto actor = string_field(object, "actor");
  if (!actor) return actor.error();
  if (!valid_principal(*actor)) {
    return Error::input(
        fmt::format("actor {} is not a valid principal", nlohmann::json(*actor).dump()));
  }
  record.actor = std::move(actor).value();

  auto key = string_field(object, "key");
  if (!key) return key.error();
  if (!valid_fingerprint(*key))
    return Error::input("field \"key\" is not a SHA256 key fingerprint");
  record.key = std::move(key).value();

  auto prev = string_field(object, "prev");
  if (!prev) return prev.error();
  if (!is_lower_hex(*prev, 64))
    return Error::input("field \"prev\" is not 64 lower-case hex digits");
  record.prev = std::move(prev).value();

  const nlohmann::json* payload = member(object, "payload");
  if (payload == nullptr) return Error::input("missing field \"payload\"");
  if (Status ok = check_payload(record.type, *payload); !ok) return ok.error();
  record.payload = *payload;
  if ((record.type == types::log_start) != (record.seq == 0)) {
    return Error::input(record.seq == 0 ? "record 0 is not of type log-start"
                                        : "a log-start record must have seq 0");
  }
  record.sig = std::string(split->sig);
  return record;
}

Result<std::string> sign_record(const Record& draft, const crypto::PrivateKey& key) {
  if (!valid_type_name(draft.type)) {
    return Error::usage(fmt::format("'{}' is not a valid record type", draft.type));
  }
  if (!valid_principal(draft.actor)) {
    return Error::usage(fmt::format("'{}' is not a valid principal", draft.actor));
  }
  if (Status ok = check_payload(draft.type, draft.payload); !ok) return ok.error();
  std::string payload;
  try {
    payload = draft.payload.dump();
  } catch (const nlohmann::json::type_error&) {
    return Error::input("the payload holds a string that is not valid UTF-8");
  }
  std::string body = fmt::format(
      R"({{"v":{},"seq":{},"time":{},"type":{},"actor":{},"key":{},"prev":{},"payload":{}}})",
      kFormatVersion, draft.seq, nlohmann::json(draft.time).dump(),
      nlohmann::json(draft.type).dump(), nlohmann::json(draft.actor).dump(),
      nlohmann::json(draft.key).dump(), nlohmann::json(draft.prev).dump(), payload);
  auto signature = crypto::sign(key, body, kNamespace);
  if (!signature) return signature.error();
  body.pop_back();
  std::string line = fmt::format("{}{}{}\"}}", body, kSigMember, signature->base64());
  // Whatever is written must read back: this catches characters the
  // serialiser passes through raw (DEL) and an oversized payload.
  if (auto check = parse_record(line); !check) {
    return check.error().within("refusing to write a record that would not read back");
  }
  return line;
}

std::string line_hash_hex(std::string_view line) {
  return crypto::to_hex(crypto::sha256(line));
}

}  // namespace safedb::audit
