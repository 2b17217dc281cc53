#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "safedb/audit/listing.h"
#include "safedb/audit/log.h"
#include "safedb/audit/utc_time.h"
#include "safedb/audit/verify.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/keys.h"

namespace safedb::cli {
namespace {

struct SignerOptions {
  std::string log{audit::kDefaultLogPath};
  std::string key;
  std::string principal;
};

struct CheckpointOptions {
  SignerOptions signer;
  std::optional<std::string> witness;
};

struct VerifyOptions {
  std::string log{audit::kDefaultLogPath};
  std::string allowed_signers;
  std::optional<std::string> witness;
  std::string format = "text";
  unsigned threads = 0;
};

struct ListOptions {
  std::string log{audit::kDefaultLogPath};
  std::optional<std::string> since;
  std::optional<std::string> type;
  std::optional<std::string> actor;
  std::optional<std::string> target;
  std::string format = "text";
};

struct ShowOptions {
  std::string log{audit::kDefaultLogPath};
  std::string id;
  std::string format = "text";
};

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

Status check_format(const std::string& format) {
  if (format == "text" || format == "json") return {};
  return Error::usage(fmt::format("unknown --format '{}' (text, json)", format));
}

// --since takes a date (YYYY-MM-DD, midnight UTC) or a record time.
Result<std::int64_t> parse_since(const std::string& text) {
  auto time = audit::parse_utc(text.size() == 10 ? text + "T00:00:00Z" : text);
  if (!time)
    return Error::usage(fmt::format("--since '{}': use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", text));
  return time;
}

// Prints what list and show could not read; they still show the rest.
ExitCode report_unreadable(const audit::Listing& listing, const std::string& path) {
  for (const std::string& problem : listing.unreadable) {
    print_error(Error::input(fmt::format("{}: {} (run `safedb audit verify`)", path, problem)));
  }
  return listing.unreadable.empty() ? ExitCode::ok : ExitCode::no;
}

Result<ExitCode> run_checkpoint(const CheckpointOptions& options) {
  auto key = crypto::PrivateKey::load(options.signer.key);
  if (!key) return key.error();
  auto log = audit::AuditLog::open(options.signer.log, *key, options.signer.principal);
  if (!log) return log.error();
  auto written = log->checkpoint(options.witness);
  if (!written) return written.error();
  print(fmt::format("checkpoint at seq {}: {} records, root {}\n", written->record.seq,
                    written->checkpoint.size, crypto::base64_encode(written->checkpoint.root)));
  if (written->witnessed) {
    print(fmt::format("signed note appended to {}\n", *options.witness));
  } else if (!written->note) {
    print("no signed note: the key signs through ssh-keygen (the record itself is signed)\n");
  }
  return ExitCode::ok;
}

Result<ExitCode> run_verify(const VerifyOptions& options) {
  if (Status ok = check_format(options.format); !ok) return ok.error();
  auto signers = crypto::AllowedSigners::load(options.allowed_signers);
  if (!signers) return signers.error();
  if (signers->empty()) {
    return Error::usage(
        fmt::format("{} lists no keys: without trust anchors nothing can be verified",
                    options.allowed_signers));
  }
  auto report = audit::verify_log({options.log, options.witness, options.threads}, *signers);
  if (!report) return report.error();
  print(options.format == "json" ? audit::to_json(*report).dump(2) + "\n"
                                 : audit::render_text(*report));
  return report->intact() ? ExitCode::ok : ExitCode::no;
}

Result<ExitCode> run_list(const ListOptions& options) {
  if (Status ok = check_format(options.format); !ok) return ok.error();
  audit::ListFilter filter{std::nullopt, options.type, options.actor, options.target};
  if (options.since) {
    auto since = parse_since(*options.since);
    if (!since) return since.error();
    filter.since = *since;
  }
  auto listing = audit::list_records(options.log, filter);
  if (!listing) return listing.error();
  print(options.format == "json" ? audit::listing_json(listing->records).dump(2) + "\n"
                                 : audit::render_table(listing->records));
  return report_unreadable(*listing, options.log);
}

Result<ExitCode> run_show(const ShowOptions& options) {
  if (Status ok = check_format(options.format); !ok) return ok.error();
  auto listing = audit::find_records(options.log, options.id);
  if (!listing) return listing.error();
  const ExitCode read = report_unreadable(*listing, options.log);
  if (listing->records.empty()) {
    return Error(ExitCode::no,
                 fmt::format("{} has no record with seq or run_id '{}'", options.log, options.id));
  }
  print(options.format == "json" ? audit::listing_json(listing->records).dump(2) + "\n"
                                 : audit::render_details(listing->records));
  return read;
}

Result<ExitCode> run_repair(const SignerOptions& options) {
  auto key = crypto::PrivateKey::load(options.key);
  if (!key) return key.error();
  auto log = audit::AuditLog::open(options.log, *key, options.principal);
  if (!log) return log.error();
  auto repaired = log->repair_torn_tail();
  if (!repaired) return repaired.error();
  if (!*repaired) {
    print(fmt::format("{} has no torn tail; nothing to repair\n", options.log));
    return ExitCode::ok;
  }
  const audit::TornTailRepaired& r = **repaired;
  print(fmt::format(
      "cut {} torn bytes off {} at byte {}; they are kept in {}; repair record seq {}\n", r.length,
      options.log, r.offset, r.saved_to, r.record.seq));
  return ExitCode::ok;
}

void add_log_option(CLI::App& sub, std::string& log) {
  sub.add_option("--log", log, "The audit log file")->capture_default_str();
}

void add_signer_options(CLI::App& sub, SignerOptions& options) {
  add_log_option(sub, options.log);
  sub.add_option("--key", options.key, "Ed25519 private key file that signs the record")
      ->required();
  sub.add_option("--principal", options.principal,
                 "Your name in the auditors' allowed_signers file (e.g. alice@example.com)")
      ->required();
}

void add_format_option(CLI::App& sub, std::string& format) {
  sub.add_option("--format", format, "Output: text or json")->capture_default_str();
}

}  // namespace

Handler setup_audit(CLI::App& sub) {
  sub.require_subcommand(1);
  std::vector<std::pair<CLI::App*, std::function<Result<ExitCode>()>>> runs;

  CLI::App* checkpoint = sub.add_subcommand(
      "checkpoint",
      "Append a signed Merkle checkpoint; with --witness also append its signed note there");
  auto checkpoint_options = std::make_shared<CheckpointOptions>();
  add_signer_options(*checkpoint, checkpoint_options->signer);
  checkpoint->add_option("--witness", checkpoint_options->witness,
                         "Witness file (kept apart from the log) to append the signed note to");
  runs.emplace_back(checkpoint,
                    [checkpoint_options] { return run_checkpoint(*checkpoint_options); });

  CLI::App* verify = sub.add_subcommand(
      "verify", "Check every record, signature, link and checkpoint; exit 1 if anything is wrong");
  auto verify_options = std::make_shared<VerifyOptions>();
  add_log_option(*verify, verify_options->log);
  verify
      ->add_option("--allowed-signers", verify_options->allowed_signers,
                   "OpenSSH allowed_signers file naming the trusted keys and their principals")
      ->required();
  verify->add_option("--witness", verify_options->witness, "Witness file of signed checkpoints");
  add_format_option(*verify, verify_options->format);
  verify
      ->add_option("--threads", verify_options->threads,
                   "Signature-checking threads (0: one per core)")
      ->capture_default_str();
  runs.emplace_back(verify, [verify_options] { return run_verify(*verify_options); });

  CLI::App* list = sub.add_subcommand("list", "List records as a table (does not verify them)");
  auto list_options = std::make_shared<ListOptions>();
  add_log_option(*list, list_options->log);
  list->add_option("--since", list_options->since,
                   "Only records at or after this date or time (UTC)");
  list->add_option("--type", list_options->type, "Only records of this type");
  list->add_option("--actor", list_options->actor, "Only records by this principal");
  list->add_option("--target", list_options->target, "Only records about this target");
  add_format_option(*list, list_options->format);
  runs.emplace_back(list, [list_options] { return run_list(*list_options); });

  CLI::App* show = sub.add_subcommand("show", "Show one record by seq, or every record of a run");
  auto show_options = std::make_shared<ShowOptions>();
  show->add_option("id", show_options->id, "A record's seq, or a run_id")->required();
  add_log_option(*show, show_options->log);
  add_format_option(*show, show_options->format);
  runs.emplace_back(show, [show_options] { return run_show(*show_options); });

  CLI::App* repair = sub.add_subcommand(
      "repair", "Cut a torn last line (left by a crash) into a side file and record that");
  auto repair_options = std::make_shared<SignerOptions>();
  add_signer_options(*repair, *repair_options);
  runs.emplace_back(repair, [repair_options] { return run_repair(*repair_options); });

  return [runs = std::move(runs)](Context&) -> Result<ExitCode> {
    for (const auto& [app, run] : runs) {
      if (app->parsed()) return run();
    }
    return Error::usage("audit: name a subcommand (checkpoint, verify, list, show, repair)");
  };
}

}  // namespace safedb::cli
