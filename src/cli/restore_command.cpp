// safedb restore RUN-ID: puts back what a run's pre-change snapshot saved,
// as a guarded run of generated SQL (docs/snapshots.md).
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "cli/guarded.h"
#include "safedb/audit/listing.h"
#include "safedb/audit/verify.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/db/connection.h"
#include "safedb/snapshot/restore.h"
#include "safedb/util/progress.h"
#include "safedb/util/utc_time.h"
#include "snapshot/files.h"

namespace safedb::cli {
namespace {

namespace fs = std::filesystem;

struct RestoreCommandOptions {
  RunOptions run;
  std::string run_id;
  std::optional<int> statement;
  std::optional<std::string> into;
  bool in_place = false;
  bool print_sql = false;
  bool dry_run = false;
  bool disable_triggers = false;
};

// The snapshot a run recorded in its signed outcome: folder and manifest digest.
struct RecordedSnapshot {
  std::string folder;
  std::string manifest_sha256;
};

Result<RecordedSnapshot> recorded_snapshot(const GuardedSetup& setup, const std::string& run_id) {
  const std::string& log_path = setup.log->path();
  Result<crypto::AllowedSigners> signers =
      crypto::AllowedSigners::load(setup.config.allowed_signers);
  if (!signers) return signers.error();
  Result<std::vector<audit::ListedRecord>> records =
      audit::trusted_records(log_path, *signers, &setup.signer.key);
  if (!records) return records.error();
  for (const audit::ListedRecord& r : *records) {
    if (r.record.type != "outcome" || r.record.payload.value("run_id", "") != run_id) continue;
    const nlohmann::json& snap = r.record.payload.value("snapshot", nlohmann::json());
    if (!snap.is_object())
      return Error::usage(
          fmt::format("run {} took no snapshot (see safedb audit show {})", run_id, run_id));
    return RecordedSnapshot{snap.value("folder", ""), snap.value("manifest_sha256", "")};
  }
  return Error::usage(fmt::format("no outcome of run {} in {}", run_id, log_path));
}

// The terminal's hooks plus the restore's own session work.
class RestoreHooks : public TerminalHooks {
 public:
  RestoreHooks(const Context& context, bool yes, snapshot::Restorer& restorer)
      : TerminalHooks(context, yes), restorer_(restorer) {}
  Status prepare(db::Connection& conn, const db::TargetIdentity& identity) override {
    return restorer_.prepare(conn, identity);
  }
  nlohmann::json finished(db::Connection& conn, const exec::RunReport& report) override {
    if (report.outcome != exec::Outcome::committed) return nullptr;
    return restorer_.verify(conn);
  }

 private:
  snapshot::Restorer& restorer_;
};

std::string verification_text(const nlohmann::json& checks) {
  std::string out;
  if (!checks.is_object()) return out;
  for (const nlohmann::json& t : checks.value("tables", nlohmann::json::array())) {
    out +=
        fmt::format("restore: {} (statement #{}) into {}: {}", t.value("table", ""),
                    t.value("statement", 0), t.value("restored_into", ""), t.value("result", ""));
    if (t.value("result", "") == "identical") {
      out += fmt::format(" to the snapshot ({} rows, content hash {})\n", t.value("rows", 0),
                         t.value("hash", "").substr(0, 16));
    } else {
      out += fmt::format(" ({} rows saved, {} found; {} saved rows missing", t.value("rows", 0),
                         t.value("rows_found", 0), t.value("saved_rows_missing", "?"));
      if (t.contains("conflicting_keys") && !t["conflicting_keys"].empty())
        out += "; keys changed since: " + t["conflicting_keys"].dump();
      if (t.contains("why")) out += "; " + t.value("why", "");
      out += ")\n";
    }
  }
  for (const nlohmann::json& v : checks.value("views", nlohmann::json::array())) {
    out += fmt::format("restore: {} {} (statement #{}): {}", v.value("kind", ""),
                       v.value("view", ""), v.value("statement", 0), v.value("result", ""));
    if (v.value("result", "") == "identical")
      out += v.contains("rows")
                 ? fmt::format(" definition and rows to the snapshot ({} rows)", v.value("rows", 0))
                 : std::string(" definition to the snapshot");
    if (v.contains("why")) out += " (" + v.value("why", "") + ")";
    out += "\n";
  }
  for (const nlohmann::json& o : checks.value("objects", nlohmann::json::array())) {
    out += fmt::format("restore: {} {} (statement #{}): {}", o.value("kind", ""),
                       o.value("name", ""), o.value("statement", 0), o.value("result", ""));
    if (o.value("result", "") == "identical") out += " definition to the snapshot";
    if (o.contains("why")) out += " (" + o.value("why", "") + ")";
    out += "\n";
  }
  for (const nlohmann::json& p : checks.value("parts", nlohmann::json::array())) {
    const std::string kind = p.value("kind", "");
    out += fmt::format("restore: {} {}{} on {} (statement #{}): {}", kind,
                       kind == "default" ? "of " : "", p.value("name", ""), p.value("relation", ""),
                       p.value("statement", 0), p.value("result", ""));
    if (p.value("result", "") == "identical") out += " definition to the snapshot";
    if (p.contains("why")) out += " (" + p.value("why", "") + ")";
    out += "\n";
  }
  return out;
}

Result<ExitCode> restore(const RestoreCommandOptions& options, Context& context) {
  if (options.into && options.in_place)
    return Error::usage("--into and --in-place exclude each other");
  const exec::DryRun dry = options.dry_run ? exec::DryRun::yes : exec::DryRun::no;
  Result<std::unique_ptr<GuardedSetup>> setup = setup_guarded_run(options.run, dry);
  if (!setup) return setup.error();

  // 1. The snapshot, checked against the digest its run signed.
  Result<RecordedSnapshot> recorded = recorded_snapshot(**setup, options.run_id);
  if (!recorded) return recorded.error();
  Result<snapshot::Manifest> manifest = snapshot::load(recorded->folder, recorded->manifest_sha256);
  if (!manifest) return manifest.error();
  snapshot::Restorer restorer(std::move(*manifest), recorded->folder,
                              {options.statement, options.in_place, options.into.value_or(""),
                               util::progress_on_stderr(), options.disable_triggers});

  // 2. What to do, given the database as it is now, written as a SQL file.
  std::string sql;
  {
    Result<db::Connection> conn = db::Connection::open((*setup)->request.target.dsn);
    if (!conn) return conn.error();
    Result<db::TargetIdentity> identity = conn->identify();
    if (!identity) return identity.error();
    if (Status same = restorer.check_identity(*identity); !same) return same.error();
    Result<std::string> planned = restorer.plan(*conn);
    if (!planned) return planned.error();
    sql = std::move(*planned);
    for (const std::string& note : restorer.notes())
      std::fprintf(stderr, "safedb: note: %s\n", note.c_str());
    // No SQL at all, not even for --print-sql (whose output is only SQL).
    if (restorer.holds_nothing()) {
      std::fputs(
          "restore: nothing to do: the snapshot holds nothing (its statements found nothing to "
          "save)\n",
          options.print_sql ? stderr : stdout);
      return ExitCode::ok;
    }
    // Nothing to run, and nothing to audit: only the check.
    if (restorer.nothing_to_do() && !options.print_sql) {
      const std::string out =
          "restore: nothing to do: what the snapshot holds is back as it was, or left as it is\n" +
          verification_text(restorer.verify(*conn));
      std::fwrite(out.data(), 1, out.size(), stdout);
      return restorer.ok() ? ExitCode::ok : ExitCode::no;
    }
  }
  if (options.print_sql) {
    // The same bytes a later restore generates, for `safedb plan` and approvals.
    std::fwrite(sql.data(), 1, sql.size(), stdout);
    return ExitCode::ok;
  }
  std::string stamp = util::format_utc(util::now_unix());
  std::erase_if(stamp, [](char c) { return c == ':' || c == '-'; });
  const std::string file = (fs::path(recorded->folder) / ("restore-" + stamp + ".sql")).string();
  if (Status written = snapshot::write_file_durably(file, sql); !written) return written.error();

  // 3. Run it like any change: policies, gates, intent, execute, verify, outcome.
  exec::RunRequest& request = (*setup)->request;
  request.file = file;
  RestoreHooks hooks(context, options.run.yes, restorer);
  Result<exec::RunResult> result = exec::guarded_run(request, *(*setup)->log, hooks);
  if (!result) return result.error();
  const std::string out = options.run.format == "json"
                              ? report::render_run_json(request, *result)
                              : report::render_run_text(request, *result, {context.color}) +
                                    verification_text(result->checks);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (result->exit_code != ExitCode::ok || options.dry_run) return result->exit_code;
  return restorer.ok() ? ExitCode::ok : ExitCode::no;
}

}  // namespace

Handler setup_restore(CLI::App& sub) {
  auto options = std::make_shared<RestoreCommandOptions>();
  sub.add_option("run", options->run_id, "The run whose snapshot to restore")->required();
  sub.add_option("--statement", options->statement,
                 "Only what was saved before this statement (its index)");
  sub.add_option("--into", options->into,
                 "Copy the saved rows into this new schema (default: safedb_restore_<run>)");
  sub.add_flag("--in-place", options->in_place,
               "Put the data back where it was: rows, tables, columns");
  sub.add_flag("--disable-triggers", options->disable_triggers,
               "Keep the user triggers of tables restored in place from firing while rows go "
               "back (enabled again afterwards)");
  sub.add_flag("--dry-run", options->dry_run,
               "Rehearse the restore in a transaction that is rolled back (satisfies a dry-run "
               "gate for the same restore)");
  sub.add_flag("--print-sql", options->print_sql,
               "Print the SQL the restore would run (to plan and approve it) and stop");
  add_run_options(sub, options->run, /*executes=*/true);
  return [options](Context& context) { return restore(*options, context); };
}

}  // namespace safedb::cli
