#include "safedb/audit/log.h"

#include <fmt/format.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "audit/log_file.h"
#include "safedb/audit/merkle.h"
#include "safedb/audit/reader.h"
#include "safedb/audit/record.h"
#include "safedb/crypto/signed_note.h"
#include "safedb/util/utc_time.h"

namespace safedb::audit {

using util::format_utc;
using util::now_unix;
using util::parse_utc;

// The exclusive lock and what was read under it: the tail and its last record.
struct AuditLog::Locked {
  FileLock lock;
  Tail tail;
  std::optional<Record> last;
};

namespace {

Result<std::string> random_log_id() {
  std::array<std::uint8_t, 16> bytes;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + done, bytes.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Error::input(fmt::format("cannot get random bytes: {}", std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
  return crypto::to_hex(bytes);
}

Error torn_tail_error(const std::string& path, const Tail& tail,
                      const std::optional<Record>& last) {
  const std::string where =
      last ? fmt::format("line {}", last->seq + 2)
           : (tail.complete_size == 0 ? std::string("line 1")
                                      : fmt::format("byte {}", tail.complete_size));
  return Error::input(fmt::format(
      "torn tail at {} of {}: its last {} bytes have no newline (a write was interrupted); nothing "
      "was appended. Run `safedb audit repair --log {}` (it keeps the bytes in a side file and "
      "records the repair) or cut them off with `truncate -s {} {}`",
      where, path, tail.size - tail.complete_size, path, tail.complete_size, path));
}

bool reserved_type(std::string_view type) {
  return type == types::log_start || type == types::checkpoint || type == types::repair;
}

}  // namespace

AuditLog::AuditLog(std::string path, int fd, const crypto::PrivateKey& key, std::string principal)
    : path_(std::move(path)), fd_(fd), key_(&key), principal_(std::move(principal)) {}

AuditLog::AuditLog(AuditLog&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      key_(other.key_),
      principal_(std::move(other.principal_)) {}

AuditLog& AuditLog::operator=(AuditLog&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    key_ = other.key_;
    principal_ = std::move(other.principal_);
  }
  return *this;
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

Result<AuditLog> AuditLog::open(const std::string& path, const crypto::PrivateKey& key,
                                std::string principal) {
  if (!valid_principal(principal)) {
    return Error::usage(fmt::format(
        "'{}' is not a usable principal: it must be non-empty, without spaces, commas, quotes or "
        "wildcards",
        principal));
  }
  auto fd = open_for_append(path, CreateMissing::yes);
  if (!fd) return fd.error();
  return AuditLog(path, fd->release(), key, std::move(principal));
}

Result<AuditLog::Locked> AuditLog::lock() const {
  auto lock = FileLock::acquire(fd_, FileLock::Mode::exclusive, path_);
  if (!lock) return lock.error();
  auto tail = read_tail(fd_, path_, kMaxLineBytes);
  if (!tail) return tail.error();
  Locked locked{std::move(lock).value(), std::move(tail).value(), std::nullopt};
  if (!locked.tail.last_line.empty()) {
    auto last = parse_record(locked.tail.last_line);
    if (!last) {
      return Error::input(fmt::format(
          "the last record of {} cannot be read ({}); nothing was appended. Run `safedb audit "
          "verify`",
          path_, last.error().message()));
    }
    locked.last = std::move(last).value();
  } else if (locked.tail.complete_size > 0) {
    return Error::input(fmt::format("the last line of {} is empty; nothing was appended", path_));
  }
  if (locked.tail.torn()) return torn_tail_error(path_, locked.tail, locked.last);
  return locked;
}

Status AuditLog::start_if_empty(Locked& locked) const {
  if (locked.tail.size != 0) return {};
  auto log_id = random_log_id();
  if (!log_id) return log_id.error();
  Record draft;
  draft.seq = 0;
  draft.unix_time = now_unix();
  draft.time = format_utc(draft.unix_time);
  draft.type = types::log_start;
  draft.actor = principal_;
  draft.key = key_->public_key().fingerprint();
  draft.prev = kZeroHash;
  draft.payload = {{"log_id", *log_id}};
  auto line = sign_record(draft, *key_);
  if (!line) return line.error();
  if (Status ok = append_durably(fd_, *line + "\n", 0, path_); !ok) return ok.error();
  locked.tail = Tail{line->size() + 1, line->size() + 1, *line};
  locked.last = std::move(draft);
  return {};
}

Result<AppendedRecord> AuditLog::append_locked(Locked& locked, std::string_view type,
                                               nlohmann::json payload) const {
  if (Status started = start_if_empty(locked); !started) return started.error();
  const Record& last = *locked.last;
  Record draft;
  draft.seq = last.seq + 1;
  // Never earlier than the record before: verify reports time going backwards.
  draft.unix_time = std::max(now_unix(), last.unix_time);
  draft.time = format_utc(draft.unix_time);
  draft.type = std::string(type);
  draft.actor = principal_;
  draft.key = key_->public_key().fingerprint();
  draft.prev = line_hash_hex(locked.tail.last_line);
  draft.payload = std::move(payload);
  auto line = sign_record(draft, *key_);
  if (!line) return line.error();
  if (Status ok = append_durably(fd_, *line + "\n", locked.tail.size, path_); !ok)
    return ok.error();
  locked.tail.size += line->size() + 1;
  locked.tail.complete_size = locked.tail.size;
  locked.tail.last_line = std::move(line).value();
  locked.last = std::move(draft);
  return AppendedRecord{locked.last->seq, crypto::sha256(locked.tail.last_line)};
}

Result<AppendedRecord> AuditLog::append(std::string_view type, nlohmann::json payload) {
  if (reserved_type(type)) {
    return Error::usage(
        fmt::format("records of type {} are written by the audit log itself", type));
  }
  if (!valid_type_name(type))
    return Error::usage(fmt::format("'{}' is not a valid record type", type));
  if (Status ok = check_payload(type, payload); !ok) return ok.error();
  auto locked = lock();
  if (!locked) return locked.error();
  return append_locked(*locked, type, std::move(payload));
}

Result<CheckpointWritten> AuditLog::checkpoint(const std::optional<std::string>& witness_path) {
  if (witness_path && !key_->native()) {
    return Error::usage(fmt::format(
        "the key {} signs through ssh-keygen, which cannot make the raw Ed25519 signature a "
        "witness note needs; checkpoint without --witness (the record is still signed) or use an "
        "unencrypted key file",
        key_->path()));
  }
  CheckpointWritten written;
  {
    auto locked = lock();
    if (!locked) return locked.error();
    if (Status started = start_if_empty(*locked); !started) return started.error();

    // Recompute the tree over every line, checking the chain on the way: a
    // checkpoint must not seal a log that is already broken.
    auto reader = LogReader::map(fd_, locked->tail.size, path_);
    if (!reader) return reader.error();
    MerkleRange tree;
    std::string prev(kZeroHash);
    std::string log_id;
    while (std::optional<LogLine> line = reader->next()) {
      auto record = parse_record(line->bytes);
      std::string problem;
      if (!record) {
        problem = record.error().message();
      } else if (record->seq != tree.size()) {
        problem = fmt::format("seq is {}, expected {}", record->seq, tree.size());
      } else if (record->prev != prev) {
        problem = "prev does not match the previous line";
      }
      if (!problem.empty()) {
        return Error::input(
            fmt::format("refusing to checkpoint {}: line {}: {}; run `safedb audit verify`", path_,
                        line->number, problem));
      }
      if (record->seq == 0) log_id = record->payload["log_id"].get<std::string>();
      prev = line_hash_hex(line->bytes);
      tree.append(leaf_hash(line->bytes));
    }

    written.checkpoint = {origin_for_log(log_id), tree.size(), tree.root()};
    nlohmann::json payload = {{"origin", written.checkpoint.origin},
                              {"size", written.checkpoint.size},
                              {"root", crypto::base64_encode(written.checkpoint.root)}};
    if (key_->native()) {
      auto note =
          crypto::sign_note(checkpoint_text(written.checkpoint), written.checkpoint.origin, *key_);
      if (!note) return note.error();
      payload["note"] = *note;
      written.note = std::move(note).value();
    }
    auto record = append_locked(*locked, types::checkpoint, std::move(payload));
    if (!record) return record.error();
    written.record = *record;
  }

  if (witness_path) {
    auto witness = open_for_append(*witness_path, CreateMissing::yes);
    if (!witness) return witness.error().within("checkpoint written to the log, but the witness");
    auto lock = FileLock::acquire(witness->get(), FileLock::Mode::exclusive, *witness_path);
    if (!lock) return lock.error();
    auto tail = read_tail(witness->get(), *witness_path, kMaxLineBytes);
    if (!tail) return tail.error();
    if (tail->torn()) {
      return Error::input(fmt::format(
          "checkpoint written to the log, but the witness file {} ends in a torn line (no "
          "newline after byte {}); cut it off with `truncate -s {} {}` and checkpoint again",
          *witness_path, tail->complete_size, tail->complete_size, *witness_path));
    }
    if (Status ok = append_durably(witness->get(), witness_line(*written.note) + "\n", tail->size,
                                   *witness_path);
        !ok) {
      return ok.error().within("checkpoint written to the log, but the witness");
    }
    written.witnessed = true;
  }
  return written;
}

Result<std::optional<TornTailRepaired>> AuditLog::repair_torn_tail() {
  auto lock = FileLock::acquire(fd_, FileLock::Mode::exclusive, path_);
  if (!lock) return lock.error();
  auto tail = read_tail(fd_, path_, kMaxLineBytes);
  if (!tail) return tail.error();
  if (!tail->torn()) return std::optional<TornTailRepaired>();

  TornTailRepaired repaired;
  repaired.offset = tail->complete_size;
  repaired.length = tail->size - tail->complete_size;
  std::string torn(repaired.length, '\0');
  std::size_t done = 0;
  while (done < torn.size()) {
    const ssize_t n = ::pread(fd_, torn.data() + done, torn.size() - done,
                              static_cast<off_t>(repaired.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Error::input(fmt::format("cannot read the torn tail of {}: {}", path_,
                                      n == 0 ? "file shrank" : std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  repaired.saved_to = fmt::format("{}.torn-{}", path_, repaired.offset);
  if (Status saved = write_new_file(repaired.saved_to, torn); !saved) return saved.error();
  if (::ftruncate(fd_, static_cast<off_t>(repaired.offset)) != 0 || ::fsync(fd_) != 0) {
    return Error::input(
        fmt::format("cannot cut the torn tail off {}: {} (its bytes are saved in {})", path_,
                    std::strerror(errno), repaired.saved_to));
  }

  std::optional<Record> last;
  if (!tail->last_line.empty()) {
    auto parsed = parse_record(tail->last_line);
    if (!parsed) {
      return Error::input(
          fmt::format("torn tail cut off {}, but its last record cannot be read: {}", path_,
                      parsed.error().message()));
    }
    last = std::move(parsed).value();
  }
  tail->size = tail->complete_size;
  Locked locked{std::move(lock).value(), std::move(tail).value(), std::move(last)};
  nlohmann::json payload = {
      {"offset", repaired.offset},
      {"bytes", repaired.length},
      {"sha256", crypto::to_hex(crypto::sha256(torn))},
      {"saved_to", std::filesystem::path(repaired.saved_to).filename().string()}};
  auto record = append_locked(locked, types::repair, std::move(payload));
  if (!record) return record.error();
  repaired.record = *record;
  return std::optional<TornTailRepaired>(std::move(repaired));
}

}  // namespace safedb::audit
