#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "safedb/audit/checkpoint.h"
#include "safedb/crypto/hash.h"
#include "safedb/crypto/keys.h"
#include "safedb/util/result.h"

namespace safedb::audit {

// Where the log lives unless told otherwise.
inline constexpr std::string_view kDefaultLogPath = ".safedb/audit.jsonl";

struct AppendedRecord {
  std::uint64_t seq = 0;
  crypto::Digest line_hash{};  // SHA-256 of the stored line, the next record's `prev`
};

struct CheckpointWritten {
  AppendedRecord record;            // the checkpoint record itself
  Checkpoint checkpoint;            // covers every record before it
  std::optional<std::string> note;  // the signed note; none with a delegated key
  bool witnessed = false;           // the note was appended to the witness file
};

struct TornTailRepaired {
  std::uint64_t offset = 0;  // where the torn bytes began (the log's new length)
  std::uint64_t length = 0;  // how many bytes were cut off
  std::string saved_to;      // the file that keeps them
  AppendedRecord record;     // the `repair` record noting it
};

// The writing side of an audit log (format: docs/audit-log-format.md).
//
// Every write takes an exclusive flock on the log, re-reads the last line
// under it, appends through an O_APPEND descriptor and fsyncs before
// returning, so concurrent writers (threads with their own AuditLog, or
// processes) produce one valid chain, and a record reported written survives a
// crash. A failed write returns an Error and leaves the log as it was; callers
// must not carry on with the operation they meant to log.
//
// A log whose last line has no newline (a torn tail, left by a crash during a
// write) is never appended to: every write fails naming the line until
// repair_torn_tail() or the operator cuts the torn bytes off.
//
// Thread-compatible: one AuditLog must not be used by two threads at once.
class AuditLog {
 public:
  // Opens `path` for appending, creating it (and a missing parent directory)
  // if needed; the log-start record is written with the first record.
  // `principal` is the signer's name in the auditors' allowed_signers file.
  // REQUIRES: `key` outlives the AuditLog.
  static Result<AuditLog> open(const std::string& path, const crypto::PrivateKey& key,
                               std::string principal);

  // Appends one signed record of `type` (see record.h for the types and their
  // payload rules; log-start, checkpoint and repair are written only by this
  // class) and returns once it is on disk.
  Result<AppendedRecord> append(std::string_view type, nlohmann::json payload);

  // Appends a checkpoint record over every record before it. With a native
  // key it carries the checkpoint as a signed note, which is also appended to
  // `witness_path` if given. A delegated key cannot make the note's raw
  // Ed25519 signature: the record is written without a note, and asking for a
  // witness then fails before anything is written. Refuses a log whose chain
  // is broken (it reads every line to compute the tree).
  Result<CheckpointWritten> checkpoint(
      const std::optional<std::string>& witness_path = std::nullopt);

  // Cuts a torn tail off the log after copying its bytes to a new file next to
  // it ("<log>.torn-<offset>"), then appends a `repair` record naming them.
  // Returns nullopt when the log has no torn tail.
  Result<std::optional<TornTailRepaired>> repair_torn_tail();

  const std::string& path() const { return path_; }
  // The key that signs this log's records.
  const crypto::PrivateKey& key() const { return *key_; }

  AuditLog(AuditLog&& other) noexcept;
  AuditLog& operator=(AuditLog&& other) noexcept;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  ~AuditLog();

 private:
  struct Locked;
  AuditLog(std::string path, int fd, const crypto::PrivateKey& key, std::string principal);
  Result<Locked> lock() const;
  Status start_if_empty(Locked& locked) const;
  Result<AppendedRecord> append_locked(Locked& locked, std::string_view type,
                                       nlohmann::json payload) const;

  std::string path_;
  int fd_ = -1;  // O_RDWR | O_APPEND
  const crypto::PrivateKey* key_;
  std::string principal_;
};

}  // namespace safedb::audit
