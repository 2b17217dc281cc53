#include "safedb/audit/checkpoint.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "audit/strict_json.h"

namespace safedb::audit {

std::string origin_for_log(std::string_view log_id) {
  return fmt::format("safedb-audit/{}", log_id);
}

std::string checkpoint_text(const Checkpoint& checkpoint) {
  return fmt::format("{}\n{}\n{}\n", checkpoint.origin, checkpoint.size,
                     crypto::base64_encode(checkpoint.root));
}

Result<Checkpoint> parse_checkpoint_text(std::string_view text) {
  if (!text.ends_with('\n')) return Error::input("checkpoint text does not end with a newline");
  std::string_view lines[3];
  std::string_view rest = text;
  for (std::string_view& line : lines) {
    const std::size_t end = rest.find('\n');
    if (end == std::string_view::npos)
      return Error::input("checkpoint text has fewer than three lines");
    line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
  }
  if (!rest.empty()) return Error::input("checkpoint text has more than three lines");
  Checkpoint checkpoint;
  if (lines[0].empty() || lines[0].find_first_of(" +") != std::string_view::npos) {
    return Error::input("checkpoint origin is empty or contains a space or '+'");
  }
  checkpoint.origin = std::string(lines[0]);
  const char* first = lines[1].data();
  const char* last = first + lines[1].size();
  auto [end, ec] = std::from_chars(first, last, checkpoint.size);
  if (ec != std::errc() || end != last || lines[1].empty() ||
      (lines[1].size() > 1 && lines[1][0] == '0')) {
    return Error::input(fmt::format("checkpoint size '{}' is not a decimal number", lines[1]));
  }
  auto root = crypto::base64_decode(lines[2]);
  if (!root || root->size() != checkpoint.root.size()) {
    return Error::input("checkpoint root is not the base64 of a 32-byte hash");
  }
  std::copy(root->begin(), root->end(), checkpoint.root.begin());
  return checkpoint;
}

Result<std::string_view> note_text(std::string_view note) {
  const std::size_t blank = note.find("\n\n");
  if (blank == std::string_view::npos) return Error::input("the note has no signature block");
  return note.substr(0, blank + 1);
}

std::string witness_line(std::string_view note) {
  return nlohmann::json::object({{"note", std::string(note)}}).dump();
}

Result<std::string> parse_witness_line(std::string_view line) {
  auto parsed = parse_strict_json(line);
  if (!parsed) return parsed.error();
  if (!parsed->is_object() || parsed->size() != 1 || !parsed->contains("note") ||
      !(*parsed)["note"].is_string()) {
    return Error::input("a witness line must be {\"note\":\"<signed note>\"}");
  }
  return (*parsed)["note"].get<std::string>();
}

}  // namespace safedb::audit
