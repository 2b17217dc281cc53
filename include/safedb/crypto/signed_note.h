#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "safedb/crypto/keys.h"
#include "safedb/util/result.h"

namespace safedb::crypto {

// C2SP signed-note format (used by tlog-checkpoint): the note text (ending in
// a newline), an empty line, then one line per signature:
//   "\u2014 <key name> <base64(4-byte key hash || 64-byte Ed25519 signature)>"
// The key hash is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || public key).

std::uint32_t note_key_hash(std::string_view key_name, const PublicKey& key);
// The verifier key string "<name>+<hex hash>+<base64(0x01 || public key)>".
std::string note_verifier_key(std::string_view key_name, const PublicKey& key);

// A verifier key string split into its parts. Fails, saying why, unless it
// is "<name>+<8 hex digits>+<base64>" with a valid key name, an Ed25519 key
// (type byte 0x01) and the hash that name and key give.
struct NoteVerifierKey {
  std::string name;
  PublicKey key;
};
Result<NoteVerifierKey> parse_note_verifier_key(std::string_view text);

// Signs `text` (REQUIRES: non-empty, ends with "\n", no empty line) and returns
// the whole signed note. Needs a native key.
Result<std::string> sign_note(std::string_view text, std::string_view key_name,
                              const PrivateKey& key);

// Checks that `note` carries a valid signature by `key` under `key_name`;
// returns the note text (without signatures). Signatures by other keys are
// ignored, as the format requires.
Result<std::string> verify_note(std::string_view note, std::string_view key_name,
                                const PublicKey& key);

}  // namespace safedb::crypto
