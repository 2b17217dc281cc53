#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "backup/records.h"
#include "cli/backup_report.h"
#include "cli/command.h"
#include "cli/signer.h"
#include "safedb/audit/log.h"
#include "safedb/backup/create.h"
#include "safedb/backup/history.h"
#include "safedb/backup/store.h"
#include "safedb/backup/verify.h"
#include "safedb/config/config.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/util/progress.h"

namespace safedb::cli {
namespace {

using nlohmann::json;

struct CommonOptions {
  std::optional<std::string> target, dsn;
  SigningOptions signing;
  std::optional<int> jobs;
  std::string format = "text";
};

struct CreateOptions {
  CommonOptions common;
};

struct VerifyOptions {
  CommonOptions common;
  std::string id;
  std::optional<std::string> scratch;
};

struct ListOptions {
  std::optional<std::string> config, log;
  std::string format = "text";
};

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

// What both create and verify need: the configuration, the target, the
// signer and the audit log.
struct Setup {
  config::Config config;
  exec::TargetSpec target;
  std::unique_ptr<Signer> signer;
  std::optional<audit::AuditLog> log;
  int jobs = 2;
};

Status check_format(const std::string& format) {
  if (format != "text" && format != "json")
    return Error::usage(fmt::format("unknown --format '{}' (text, json)", format));
  return {};
}

Result<Setup> set_up(const CommonOptions& options) {
  if (Status f = check_format(options.format); !f) return f.error();
  Setup s;
  Result<config::Config> config = config::load(options.signing.config.value_or(""));
  if (!config) return config.error();
  s.config = std::move(config).value();
  Result<exec::TargetSpec> target =
      exec::resolve_target(s.config, options.target, options.dsn, std::nullopt);
  if (!target) return target.error();
  s.target = *target;
  if (options.jobs && (*options.jobs < 1 || *options.jobs > 64))
    return Error::usage(fmt::format("--jobs {}: must be between 1 and 64", *options.jobs));
  s.jobs = options.jobs.value_or(s.config.backup_jobs);
  Result<Signer> signer = open_signer(s.config, options.signing.key, options.signing.principal);
  if (!signer) return signer.error();
  s.signer = std::make_unique<Signer>(std::move(signer).value());
  Result<audit::AuditLog> log = open_audit_log(s.config, options.signing.log, *s.signer);
  if (!log) return log.error();
  s.log.emplace(std::move(log).value());
  return s;
}

Result<ExitCode> run_create(const CreateOptions& options) {
  Result<Setup> s = set_up(options.common);
  if (!s) return s.error();
  backup::CreateRequest request;
  request.target = s->target;
  request.backups = s->config.backups;
  request.pg_bin = s->config.pg_bin;
  request.jobs = s->jobs;
  request.lock_timeout = s->config.execution.lock_timeout;
  request.witness =
      options.common.signing.witness ? options.common.signing.witness : s->config.witness;
  request.progress = util::progress_on_stderr();
  Result<backup::CreatedBackup> made = backup::create_backup(request, *s->log);
  if (!made) return made.error();
  print(options.common.format == "json"
            ? created_json(*made)
            : created_text(*made, s->target.ad_hoc ? "..." : s->target.name));
  return ExitCode::ok;
}

Result<ExitCode> run_verify(const VerifyOptions& options) {
  Result<Setup> s = set_up(options.common);
  if (!s) return s.error();
  Result<crypto::AllowedSigners> signers = crypto::AllowedSigners::load(s->config.allowed_signers);
  if (!signers)
    return Error::usage(
        fmt::format("cannot check the audit log's signatures: {}", signers.error().message()));
  if (signers->empty())
    return Error::usage(fmt::format("{} lists no keys: nothing to check the audit log against",
                                    s->config.allowed_signers));
  backup::VerifyRequest request;
  request.target = s->target;
  request.backups = s->config.backups;
  request.id = options.id;
  request.scratch_dsn = options.scratch ? options.scratch : s->config.scratch_dsn;
  request.pg_bin = s->config.pg_bin;
  request.jobs = s->jobs;
  request.signers = &*signers;
  request.witness =
      options.common.signing.witness ? options.common.signing.witness : s->config.witness;
  request.progress = util::progress_on_stderr();
  Result<backup::VerifyResult> r = backup::verify_backup(request, *s->log);
  if (!r) return r.error();
  if (r->drop_failed) std::fprintf(stderr, "safedb: warning: %s\n", r->drop_failed->c_str());
  print(options.common.format == "json" ? verified_json(*r) : verified_text(*r));
  return r->verified() ? ExitCode::ok : ExitCode::no;
}

// The verification state of a backup, from the signed log.
struct State {
  std::string text;  // "verified 2026-…", "FAILED 2026-…: …", "never verified", …
  std::string name;  // verified, failed, never-verified, unrecorded, tampered, unknown
  std::optional<std::string> time;
};

State state_of(const backup::FolderEntry& e, const backup::BackupHistory& history) {
  if (history.unusable) return {"unknown: " + *history.unusable, "unknown", std::nullopt};
  auto created = history.created.find(e.id);
  if (created == history.created.end())
    return {"not recorded: no signed backup-created record", "unrecorded", std::nullopt};
  if (created->second.payload.value("manifest_sha256", "") != e.stored->sha256)
    return {"TAMPERED: manifest.json differs from its signed record", "tampered", std::nullopt};
  auto last = history.last_verification.find(e.id);
  if (last == history.last_verification.end()) return {"never verified", "never-verified", {}};
  const audit::Record& r = last->second;
  if (r.type == backup::kVerifiedRecord) return {"verified " + r.time, "verified", r.time};
  std::string why;
  const json& problems = r.payload.value("problems", json::array());
  if (!problems.empty() && problems[0].is_object())
    why = ": " + problems[0].value("where", "") + ": " + problems[0].value("what", "");
  return {"FAILED " + r.time + why, "failed", r.time};
}

Result<ExitCode> run_list(const ListOptions& options) {
  if (Status f = check_format(options.format); !f) return f.error();
  Result<config::Config> config = config::load(options.config.value_or(""));
  if (!config) return config.error();
  Result<std::vector<backup::FolderEntry>> entries = backup::scan_backups(config->backups);
  if (!entries) return entries.error();
  backup::BackupHistory history;
  Result<crypto::AllowedSigners> signers = crypto::AllowedSigners::load(config->allowed_signers);
  if (!signers || signers->empty()) {
    history.unusable =
        signers ? config->allowed_signers + " lists no keys" : signers.error().message();
  } else {
    history = backup::read_history(options.log.value_or(config->audit_log), *signers);
  }

  if (options.format == "json") {
    json list = json::array();
    for (const backup::FolderEntry& e : *entries) {
      json item = {{"id", e.id}, {"path", e.path}};
      if (!e.problem.empty()) {
        item["state"] = e.incomplete ? "incomplete" : "damaged";
        item["problem"] = e.problem;
      } else {
        const backup::Manifest& m = *e.stored->manifest;
        const State st = state_of(e, history);
        item.update({{"database", m.target.database},
                     {"system_identifier", m.target.system_identifier},
                     {"target", m.target_name},
                     {"snapshot_time", m.snapshot_time},
                     {"snapshot_unix_time", m.snapshot_unix_time},
                     {"bytes", m.dump_bytes()},
                     {"tables", m.tables.size()},
                     {"rows", m.rows()},
                     {"state", st.name},
                     {"state_time", st.time ? json(*st.time) : json(nullptr)},
                     {"state_text", st.text}});
      }
      list.push_back(item);
    }
    print(json({{"version", 1},
                {"folder", config->backups},
                {"audit_log_problem", history.unusable ? json(*history.unusable) : json(nullptr)},
                {"backups", list}})
              .dump(2) +
          "\n");
    return ExitCode::ok;
  }

  if (entries->empty()) {
    print(fmt::format("no backups in {}\n", config->backups));
    return ExitCode::ok;
  }
  std::string out = fmt::format("{:<34} {:<16} {:<21} {:>10} {:>6} {:>10}  {}\n", "ID", "DATABASE",
                                "TAKEN (UTC)", "SIZE", "TABLES", "ROWS", "STATE");
  for (const backup::FolderEntry& e : *entries) {
    if (!e.problem.empty()) {
      out +=
          fmt::format("{:<34} {}: {}\n", e.id, e.incomplete ? "INCOMPLETE" : "DAMAGED", e.problem);
      continue;
    }
    const backup::Manifest& m = *e.stored->manifest;
    out += fmt::format("{:<34} {:<16} {:<21} {:>10} {:>6} {:>10}  {}\n", e.id, m.target.database,
                       m.snapshot_time, backup::detail::human_size(m.dump_bytes()), m.tables.size(),
                       m.rows(), state_of(e, history).text);
  }
  print(out);
  return ExitCode::ok;
}

void add_common(CLI::App& sub, CommonOptions& o) {
  sub.add_option("--target", o.target, "A target named in safedb.json");
  sub.add_option("--dsn", o.dsn, "An ad-hoc libpq connection string ('' = PG* variables)");
  sub.add_option("--jobs", o.jobs, "Parallel pg_dump / pg_restore jobs (default: backups.jobs)");
  add_signing_options(sub, o.signing);
  sub.add_option("--format", o.format, "Output: text or json")->capture_default_str();
}

}  // namespace

Handler setup_backup(CLI::App& sub) {
  sub.require_subcommand(1);
  CLI::App* create = sub.add_subcommand(
      "create", "Dump a database with pg_dump and record what it held, table by table");
  auto create_options = std::make_shared<CreateOptions>();
  add_common(*create, create_options->common);

  CLI::App* verify = sub.add_subcommand(
      "verify", "Restore a backup into a scratch database and compare it; exit 1 if it differs");
  auto verify_options = std::make_shared<VerifyOptions>();
  verify->add_option("id", verify_options->id, "A backup id, or latest")->required();
  add_common(*verify, verify_options->common);
  verify->add_option("--scratch", verify_options->scratch,
                     "Server to restore on (default: backups.scratch_dsn, else the target's)");

  CLI::App* list = sub.add_subcommand("list", "List the backups and their verification state");
  auto list_options = std::make_shared<ListOptions>();
  list->add_option("--config", list_options->config, "Configuration file (default: ./safedb.json)");
  list->add_option("--log", list_options->log, "Audit log (default: audit.log)");
  list->add_option("--format", list_options->format, "Output: text or json")->capture_default_str();

  return [=](Context&) -> Result<ExitCode> {
    if (create->parsed()) return run_create(*create_options);
    if (verify->parsed()) return run_verify(*verify_options);
    if (list->parsed()) return run_list(*list_options);
    return Error::usage("backup: name a subcommand (create, verify, list)");
  };
}

}  // namespace safedb::cli
