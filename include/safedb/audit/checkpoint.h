#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "safedb/crypto/hash.h"
#include "safedb/util/result.h"

namespace safedb::audit {

// A C2SP tlog-checkpoint: the log's origin, its size in records and the
// RFC 6962 root of the tree over its first `size` lines. Its text form,
// "<origin>\n<size>\n<base64(root)>\n", is signed as a C2SP signed note whose
// key name is the origin.
struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  crypto::Digest root{};
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The origin of the log whose log-start record carries `log_id`.
std::string origin_for_log(std::string_view log_id);

std::string checkpoint_text(const Checkpoint& checkpoint);
// Parses the text of a checkpoint (a note's text, signatures removed):
// exactly three lines; extension lines are refused.
Result<Checkpoint> parse_checkpoint_text(std::string_view text);
// The text part of a signed note: everything before the first empty line.
Result<std::string_view> note_text(std::string_view note);

// A witness file holds one JSON object per line, {"note":"<signed note>"},
// appended by `audit checkpoint --witness`; the operator keeps it elsewhere.
std::string witness_line(std::string_view note);
// The note of one witness line (strict JSON, nothing but "note").
Result<std::string> parse_witness_line(std::string_view line);

}  // namespace safedb::audit
