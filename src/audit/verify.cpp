#include "safedb/audit/verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "audit/line_check.h"
#include "safedb/audit/merkle.h"
#include "safedb/audit/reader.h"
#include "safedb/audit/record.h"
#include "safedb/crypto/signed_note.h"

namespace safedb::audit {
namespace {

constexpr std::size_t kBatchLines = 8192;

// A checkpoint from the witness file, checked on its own.
struct WitnessEntry {
  std::size_t line = 0;
  Checkpoint checkpoint;
};

// A signed statement "the log had this root at this size", wherever it was
// found; two that disagree are a fork.
struct Claim {
  Checkpoint checkpoint;
  Finding::File file;
  std::size_t line;
  std::optional<std::uint64_t> seq;
};

std::string describe(Finding::File file, std::size_t line) {
  return fmt::format("{} line {}", file == Finding::File::log ? "log" : "witness", line);
}

class Verifier {
 public:
  Verifier(const VerifyOptions& options, const crypto::AllowedSigners& signers,
           VerifyReport& report)
      : options_(options), signers_(signers), report_(report) {}

  Status read_witness();
  Status read_log();
  void check_witness();
  void check_forks();

 private:
  void add(Finding::File file, std::size_t line, std::optional<std::uint64_t> seq,
           std::string_view check, std::string message) {
    report_.findings.push_back({file, line, seq, std::string(check), std::move(message)});
  }
  void fold(const LogLine& line, const LineCheck& check);
  void fold_record(const LogLine& line, const LineCheck& check);
  void fold_checkpoint(const LogLine& line, const LineCheck& check);
  void fold_run(const LogLine& line, const Record& record);

  const VerifyOptions& options_;
  const crypto::AllowedSigners& signers_;
  VerifyReport& report_;

  std::vector<WitnessEntry> witness_;
  std::set<std::uint64_t> witness_sizes_;
  std::map<std::uint64_t, crypto::Digest> roots_at_;  // the log's root at each witnessed size
  std::vector<Claim> claims_;

  // The fold's state: what the previous line said.
  crypto::Sha256Stream content_;  // of every complete line so far, newlines included
  MerkleRange tree_;
  std::optional<crypto::Digest> prev_hash_;
  std::optional<std::uint64_t> prev_seq_;
  std::int64_t prev_time_ = 0;
  std::string prev_time_text_;
  struct OpenRun {
    std::size_t line;
    std::uint64_t seq;
  };
  std::unordered_map<std::string, OpenRun> open_runs_;
  std::unordered_map<std::string, std::size_t> finished_runs_;  // run_id -> outcome line
};

Status Verifier::read_witness() {
  if (!options_.witness_path) return {};
  auto reader = LogReader::open(*options_.witness_path);
  if (!reader) return reader.error();
  while (std::optional<LogLine> line = reader->next()) {
    const auto here = [&](std::string_view check, std::string message) {
      add(Finding::File::witness, line->number, std::nullopt, check, std::move(message));
    };
    if (!line->complete) {
      here("torn-tail",
           fmt::format("torn tail at line {}: the last {} bytes of the witness file have "
                       "no newline (an interrupted write)",
                       line->number, line->bytes.size()));
      break;
    }
    auto note = parse_witness_line(line->bytes);
    if (!note) {
      here("malformed", fmt::format("not a witness entry: {}", note.error().message()));
      continue;
    }
    auto text = note_text(*note);
    auto checkpoint = text ? parse_checkpoint_text(*text) : Result<Checkpoint>(text.error());
    if (!checkpoint) {
      here("malformed",
           fmt::format("the note is not a checkpoint: {}", checkpoint.error().message()));
      continue;
    }
    // The note's key name is the origin; any key trusted for safedb-audit may sign it.
    const bool signed_ok =
        std::any_of(signers_.entries().begin(), signers_.entries().end(), [&](const auto& entry) {
          const bool in_namespace = entry.namespaces.empty() ||
                                    std::find(entry.namespaces.begin(), entry.namespaces.end(),
                                              kNamespace) != entry.namespaces.end();
          return !entry.cert_authority && in_namespace &&
                 crypto::verify_note(*note, checkpoint->origin, entry.key).ok();
        });
    if (!signed_ok) {
      here("signature", fmt::format("the checkpoint note (size {}) carries no valid signature by a "
                                    "key allowed_signers trusts for {}",
                                    checkpoint->size, kNamespace));
      continue;
    }
    witness_.push_back({line->number, *checkpoint});
    witness_sizes_.insert(checkpoint->size);
    claims_.push_back({*checkpoint, Finding::File::witness, line->number, std::nullopt});
  }
  return {};
}

Status Verifier::read_log() {
  auto reader = LogReader::open(options_.log_path);
  if (!reader) return reader.error();
  const unsigned threads =
      options_.threads != 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<LogLine> lines;
  std::vector<LineCheck> checks;
  lines.reserve(kBatchLines);
  bool more = true;
  while (more) {
    lines.clear();
    while (lines.size() < kBatchLines) {
      std::optional<LogLine> line = reader->next();
      if (!line) {
        more = false;
        break;
      }
      lines.push_back(*line);
    }
    checks.assign(lines.size(), LineCheck{});
    parallel_for(lines.size(), threads, [&](std::size_t i) {
      if (lines[i].complete)
        checks[i] = check_line(lines[i].bytes, signers_, lines[i].number <= options_.vouched_lines);
    });
    for (std::size_t i = 0; i < lines.size(); ++i) {
      fold(lines[i], checks[i]);
      if (options_.on_record && checks[i].record)
        options_.on_record(lines[i].number, std::move(*checks[i].record));
    }
  }
  report_.sha256 = content_.finish();
  if (report_.records == 0 && report_.findings.empty()) {
    add(Finding::File::log, 0, std::nullopt, "empty", "the log has no records");
  }
  for (const auto& [run_id, run] : open_runs_) {
    add(Finding::File::log, run.line, run.seq, "incomplete-run",
        fmt::format("run {} has an intent but no outcome: it did not finish, or its outcome was "
                    "removed",
                    nlohmann::json(run_id).dump()));
  }
  return {};
}

void Verifier::fold(const LogLine& line, const LineCheck& check) {
  if (!line.complete) {
    add(Finding::File::log, line.number, std::nullopt, "torn-tail",
        fmt::format("torn tail at line {}: the last {} bytes of the log have no newline (an "
                    "interrupted write); `safedb audit repair` cuts them off into a side file",
                    line.number, line.bytes.size()));
    return;
  }
  ++report_.records;
  report_.bytes += line.bytes.size() + 1;  // with its newline
  content_.update(line.bytes);
  content_.update("\n");
  if (check.record) {
    fold_record(line, check);
  } else {
    add(Finding::File::log, line.number, std::nullopt, "malformed",
        fmt::format("not a valid record: {}", check.malformed));
    prev_seq_ = prev_seq_ ? *prev_seq_ + 1 : 0;  // assume it held its place in the chain
  }
  prev_hash_ = check.line_hash;
  tree_.append(check.leaf);
  if (witness_sizes_.contains(tree_.size())) roots_at_[tree_.size()] = tree_.root();
}

void Verifier::fold_record(const LogLine& line, const LineCheck& check) {
  const Record& r = *check.record;
  const auto here = [&](std::string_view name, std::string message) {
    add(Finding::File::log, line.number, r.seq, name, std::move(message));
  };

  if (!prev_seq_) {
    if (r.seq != 0) {
      here("seq", fmt::format("the first record has seq {}, not 0: records were removed from the "
                              "start of the log",
                              r.seq));
    }
  } else if (r.seq <= *prev_seq_) {
    here("seq", fmt::format("seq {} follows seq {}: a record was duplicated or records were "
                            "reordered",
                            r.seq, *prev_seq_));
  } else if (r.seq != *prev_seq_ + 1) {
    here("seq", fmt::format("seq jumps from {} to {}: {} record(s) are missing before this line",
                            *prev_seq_, r.seq, r.seq - *prev_seq_ - 1));
  }
  prev_seq_ = r.seq;

  if (!prev_hash_) {
    if (r.prev != kZeroHash) {
      here("chain",
           "the first line links to an earlier record (prev is not zero): the log's "
           "beginning was removed");
    }
  } else if (r.prev != crypto::to_hex(*prev_hash_)) {
    here("chain", fmt::format("prev does not match the SHA-256 of line {}: that line was changed, "
                              "or lines were removed, inserted or reordered here",
                              line.number - 1));
  }

  if (r.unix_time < prev_time_) {
    here("time",
         fmt::format("time {} is earlier than the previous record's {}", r.time, prev_time_text_));
  } else {
    prev_time_ = r.unix_time;
    prev_time_text_ = r.time;
  }

  if (check.signed_by_actor) {
    ++report_.signatures_verified;
    if (line.number <= options_.vouched_lines) ++report_.signatures_vouched;
  } else {
    here("signature", check.signature_problem);
  }

  if (r.type == types::log_start) {
    report_.origin = origin_for_log(r.payload["log_id"].get<std::string>());
  } else if (r.type == types::checkpoint) {
    fold_checkpoint(line, check);
  } else if (r.type == types::intent || r.type == types::outcome) {
    fold_run(line, r);
  }
}

void Verifier::fold_checkpoint(const LogLine& line, const LineCheck& check) {
  const Record& r = *check.record;
  const auto here = [&](std::string_view name, std::string message) {
    add(Finding::File::log, line.number, r.seq, name, std::move(message));
  };
  ++report_.checkpoints;
  Checkpoint claimed;
  claimed.origin = r.payload["origin"].get<std::string>();
  claimed.size = r.payload["size"].get<std::uint64_t>();
  auto root = crypto::base64_decode(r.payload["root"].get<std::string>());
  std::copy(root->begin(), root->end(), claimed.root.begin());  // parse_record checked it

  bool matches = true;
  if (!report_.origin.empty() && claimed.origin != report_.origin) {
    here("checkpoint", fmt::format("the checkpoint names log {}, but this log is {}",
                                   claimed.origin, report_.origin));
    matches = false;
  }
  if (claimed.size != tree_.size()) {
    here("checkpoint", fmt::format("the checkpoint covers {} records, but {} lines precede it: "
                                   "records were inserted or removed before it",
                                   claimed.size, tree_.size()));
    matches = false;
  } else if (claimed.root != tree_.root()) {
    here("checkpoint", fmt::format("the checkpoint's root {} is not the root of the {} records "
                                   "before it ({}): one of them was changed",
                                   crypto::base64_encode(claimed.root), claimed.size,
                                   crypto::base64_encode(tree_.root())));
    matches = false;
  }
  if (!check.note_problem.empty()) {
    here("checkpoint", check.note_problem);
    matches = false;
  }
  if (matches) report_.latest_checkpoint = claimed;
  if (check.signed_by_actor) claims_.push_back({claimed, Finding::File::log, line.number, r.seq});
}

void Verifier::fold_run(const LogLine& line, const Record& r) {
  const std::string run_id = r.payload["run_id"].get<std::string>();
  const std::string quoted = nlohmann::json(run_id).dump();
  const auto here = [&](std::string message) {
    add(Finding::File::log, line.number, r.seq, "run", std::move(message));
  };
  if (r.type == types::intent) {
    if (auto open = open_runs_.find(run_id); open != open_runs_.end()) {
      here(fmt::format("a second intent for run {} (the first is at line {})", quoted,
                       open->second.line));
    } else if (auto done = finished_runs_.find(run_id); done != finished_runs_.end()) {
      here(fmt::format("an intent for run {}, which already finished at line {}", quoted,
                       done->second));
    } else {
      open_runs_.emplace(run_id, OpenRun{line.number, r.seq});
    }
    return;
  }
  if (auto open = open_runs_.find(run_id); open != open_runs_.end()) {
    open_runs_.erase(open);
    finished_runs_.emplace(run_id, line.number);
  } else if (auto done = finished_runs_.find(run_id); done != finished_runs_.end()) {
    here(
        fmt::format("a second outcome for run {} (the first is at line {})", quoted, done->second));
  } else {
    here(fmt::format("an outcome for run {} without an earlier intent", quoted));
  }
}

void Verifier::check_witness() {
  for (const WitnessEntry& entry : witness_) {
    const Checkpoint& c = entry.checkpoint;
    const auto here = [&](std::string_view check, std::string message) {
      add(Finding::File::witness, entry.line, std::nullopt, check, std::move(message));
    };
    if (!report_.origin.empty() && c.origin != report_.origin) {
      here("witness",
           fmt::format("the witness checkpoint is of log {}, but this log is {}: the log "
                       "was replaced, or this is another log's witness file",
                       c.origin, report_.origin));
      continue;
    }
    if (c.size > report_.records) {
      here("truncated",
           fmt::format("the log has {} records, but this witnessed checkpoint covers {}: "
                       "records were cut off the end of the log",
                       report_.records, c.size));
      continue;
    }
    const auto root = roots_at_.find(c.size);
    if (root == roots_at_.end() || root->second != c.root) {
      here("witness", fmt::format("the log's first {} records do not match this witnessed "
                                  "checkpoint: records were changed, or the log was cut back and "
                                  "appended to",
                                  c.size));
      continue;
    }
    ++report_.witness_checkpoints;
  }
}

void Verifier::check_forks() {
  std::map<std::pair<std::string, std::uint64_t>, const Claim*> first;
  for (const Claim& claim : claims_) {
    auto [it, inserted] =
        first.emplace(std::make_pair(claim.checkpoint.origin, claim.checkpoint.size), &claim);
    if (inserted || it->second->checkpoint.root == claim.checkpoint.root) continue;
    const Claim& other = *it->second;
    add(claim.file, claim.line, claim.seq, "fork",
        fmt::format(
            "fork: two signed checkpoints of size {} disagree: {} has root {}, {} has root {}",
            claim.checkpoint.size, describe(other.file, other.line),
            crypto::base64_encode(other.checkpoint.root), describe(claim.file, claim.line),
            crypto::base64_encode(claim.checkpoint.root)));
  }
}

}  // namespace

Result<VerifyReport> verify_log(const VerifyOptions& options,
                                const crypto::AllowedSigners& signers) {
  const auto start = std::chrono::steady_clock::now();
  VerifyReport report;
  report.log_path = options.log_path;
  report.witness_path = options.witness_path;
  Verifier verifier(options, signers, report);
  if (Status ok = verifier.read_witness(); !ok) return ok.error();
  if (options.witness_path && !std::filesystem::exists(options.log_path)) {
    // With a witness, a missing log is the strongest kind of truncation.
    report.findings.push_back({Finding::File::log, 0, std::nullopt, "missing",
                               fmt::format("the log {} does not exist", options.log_path)});
  } else if (Status ok = verifier.read_log(); !ok) {
    return ok.error();
  }
  verifier.check_witness();
  verifier.check_forks();
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) {
                     return std::make_pair(a.file, a.line) < std::make_pair(b.file, b.line);
                   });
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace safedb::audit
