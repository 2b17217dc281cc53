#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/signer.h"
#include "safedb/audit/listing.h"
#include "safedb/audit/log.h"
#include "safedb/audit/verify.h"
#include "safedb/config/config.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/keys.h"
#include "safedb/util/utc_time.h"

namespace safedb::cli {
namespace {

// Every option left out comes from safedb.json (--config, else ./safedb.json),
// and from the built-in defaults when there is none.
struct SignerOptions {
  std::optional<std::string> config, log, key, principal;
};

struct CheckpointOptions {
  SignerOptions signer;
  std::optional<std::string> witness;
};

struct VerifyOptions {
  std::optional<std::string> config, log, allowed_signers;
  std::optional<std::string> witness;
  std::string format = "text";
  unsigned threads = 0;
};

struct ListOptions {
  std::optional<std::string> config, log;
  std::optional<std::string> since;
  std::optional<std::string> type;
  std::optional<std::string> actor;
  std::optional<std::string> target;
  std::string format = "text";
};

struct ShowOptions {
  std::optional<std::string> config, log;
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
  auto time = util::parse_utc(text.size() == 10 ? text + "T00:00:00Z" : text);
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

// The log a command works on: --log, else audit.log from safedb.json.
Result<std::string> log_path(const std::optional<std::string>& config_path,
                             const std::optional<std::string>& log) {
  if (log) return *log;
  Result<config::Config> config = config::load(config_path.value_or(""));
  if (!config) return config.error();
  return config->audit_log;
}

// An open log with its signer, for the commands that write.
struct OpenLog {
  config::Config config;
  Signer signer;
  std::optional<audit::AuditLog> log;
};

Result<std::unique_ptr<OpenLog>> open_for_writing(const SignerOptions& options) {
  Result<config::Config> config = config::load(options.config.value_or(""));
  if (!config) return config.error();
  Result<Signer> signer = open_signer(*config, options.key, options.principal);
  if (!signer) return signer.error();
  auto open = std::make_unique<OpenLog>(
      OpenLog{std::move(config).value(), std::move(signer).value(), std::nullopt});
  Result<audit::AuditLog> log = audit::AuditLog::open(options.log.value_or(open->config.audit_log),
                                                      open->signer.key, open->signer.principal);
  if (!log) return log.error();
  open->log.emplace(std::move(log).value());
  return open;
}

Result<ExitCode> run_checkpoint(const CheckpointOptions& options) {
  auto open = open_for_writing(options.signer);
  if (!open) return open.error();
  std::optional<std::string> witness = options.witness ? options.witness : (*open)->config.witness;
  auto written = (*open)->log->checkpoint(witness);
  if (!written) return written.error();
  print(fmt::format("checkpoint at seq {}: {} records, root {}\n", written->record.seq,
                    written->checkpoint.size, crypto::base64_encode(written->checkpoint.root)));
  if (written->witnessed) {
    print(fmt::format("signed note appended to {}\n", *witness));
  } else if (!written->note) {
    print("no signed note: the key signs through ssh-keygen (the record itself is signed)\n");
  }
  return ExitCode::ok;
}

Result<ExitCode> run_verify(const VerifyOptions& options) {
  if (Status ok = check_format(options.format); !ok) return ok.error();
  Result<config::Config> config = config::load(options.config.value_or(""));
  if (!config) return config.error();
  const std::string allowed = options.allowed_signers.value_or(config->allowed_signers);
  auto signers = crypto::AllowedSigners::load(allowed);
  if (!signers) return signers.error();
  if (signers->empty()) {
    return Error::usage(
        fmt::format("{} lists no keys: without trust anchors nothing can be verified", allowed));
  }
  std::optional<std::string> witness = options.witness ? options.witness : config->witness;
  auto report = audit::verify_log(
      {options.log.value_or(config->audit_log), witness, options.threads}, *signers);
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
  Result<std::string> log = log_path(options.config, options.log);
  if (!log) return log.error();
  auto listing = audit::list_records(*log, filter);
  if (!listing) return listing.error();
  print(options.format == "json" ? audit::listing_json(listing->records).dump(2) + "\n"
                                 : audit::render_table(listing->records));
  return report_unreadable(*listing, *log);
}

Result<ExitCode> run_show(const ShowOptions& options) {
  if (Status ok = check_format(options.format); !ok) return ok.error();
  Result<std::string> log = log_path(options.config, options.log);
  if (!log) return log.error();
  auto listing = audit::find_records(*log, options.id);
  if (!listing) return listing.error();
  const ExitCode read = report_unreadable(*listing, *log);
  if (listing->records.empty()) {
    return Error(ExitCode::no,
                 fmt::format("{} has no record with seq or run_id '{}'", *log, options.id));
  }
  print(options.format == "json" ? audit::listing_json(listing->records).dump(2) + "\n"
                                 : audit::render_details(listing->records));
  return read;
}

Result<ExitCode> run_repair(const SignerOptions& options) {
  auto open = open_for_writing(options);
  if (!open) return open.error();
  auto repaired = (*open)->log->repair_torn_tail();
  if (!repaired) return repaired.error();
  if (!*repaired) {
    print(fmt::format("{} has no torn tail; nothing to repair\n", (*open)->log->path()));
    return ExitCode::ok;
  }
  const audit::TornTailRepaired& r = **repaired;
  print(fmt::format(
      "cut {} torn bytes off {} at byte {}; they are kept in {}; repair record seq {}\n", r.length,
      (*open)->log->path(), r.offset, r.saved_to, r.record.seq));
  return ExitCode::ok;
}

void add_log_option(CLI::App& sub, std::optional<std::string>& config,
                    std::optional<std::string>& log) {
  sub.add_option("--config", config, "Configuration file (default: ./safedb.json)");
  sub.add_option("--log", log, "The audit log file (default: audit.log, else .safedb/audit.jsonl)");
}

void add_signer_options(CLI::App& sub, SignerOptions& options) {
  add_log_option(sub, options.config, options.log);
  sub.add_option("--key", options.key, "Private key that signs the record (default: signing.key)");
  sub.add_option(
      "--principal", options.principal,
      "Your name in the auditors' allowed_signers file (default: signing.principal, else "
      "from allowed_signers)");
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
      "Append a signed Merkle checkpoint; with a witness file also append its signed note there");
  auto checkpoint_options = std::make_shared<CheckpointOptions>();
  add_signer_options(*checkpoint, checkpoint_options->signer);
  checkpoint->add_option("--witness", checkpoint_options->witness,
                         "Witness file (kept apart from the log) to append the signed note to "
                         "(default: audit.witness)");
  runs.emplace_back(checkpoint,
                    [checkpoint_options] { return run_checkpoint(*checkpoint_options); });

  CLI::App* verify = sub.add_subcommand(
      "verify", "Check every record, signature, link and checkpoint; exit 1 if anything is wrong");
  auto verify_options = std::make_shared<VerifyOptions>();
  add_log_option(*verify, verify_options->config, verify_options->log);
  verify->add_option("--allowed-signers", verify_options->allowed_signers,
                     "OpenSSH allowed_signers file naming the trusted keys and their principals "
                     "(default: allowed_signers from safedb.json)");
  verify->add_option("--witness", verify_options->witness,
                     "Witness file of signed checkpoints (default: audit.witness)");
  add_format_option(*verify, verify_options->format);
  verify
      ->add_option("--threads", verify_options->threads,
                   "Signature-checking threads (0: one per core)")
      ->capture_default_str();
  runs.emplace_back(verify, [verify_options] { return run_verify(*verify_options); });

  CLI::App* list = sub.add_subcommand("list", "List records as a table (does not verify them)");
  auto list_options = std::make_shared<ListOptions>();
  add_log_option(*list, list_options->config, list_options->log);
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
  add_log_option(*show, show_options->config, show_options->log);
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
