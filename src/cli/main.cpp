#include "safedb/cli/main.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

#include "cli/command.h"
#include "safedb/crypto/library.h"
#include "safedb/sql/analysis.h"

namespace safedb::cli {
namespace {

// The command table: the single source of the command list.
const CommandSpec kCommands[] = {
    {"init", "Set up safedb here: safedb.json, a signing key, allowed_signers and default policies",
     setup_init},
    {"check", "Analyse SQL files offline and report what they would do", setup_check, false},
    {"rules", "List the rules `check` applies (text, json or markdown)", setup_rules, false},
    {"policy", "Validate the policy files that decide what a run requires", setup_policy, false},
    {"dry-run", "Rehearse a SQL file on a database inside a transaction that is rolled back",
     setup_dry_run},
    {"run", "Execute a SQL file on a database, guarded and audited", setup_run},
    {"restore", "Put back what a run's pre-change snapshot saved, as a guarded run", setup_restore},
    {"plan", "Write a change request for approval (or show one: plan show PLAN.json)", setup_plan},
    {"approve", "Sign a change request as an approver", setup_approve},
    {"backup", "Take, verify by restoring, and list backups", setup_backup},
    {"audit", "Verify, list and seal the signed audit log", setup_audit},
    {"keys", "Generate signing keys", setup_keys},
};

std::string version_text() {
  return fmt::format("safedb {} (PostgreSQL {} grammar)", SAFEDB_VERSION, sql::grammar_version());
}

int report(const Error& error) {
  print_error(error);
  return to_int(error.code());
}

}  // namespace

void print_error(const Error& error) {
  std::fprintf(stderr, "safedb: error: %s\n", error.message().c_str());
}

int main(int argc, char** argv) {
  Context context;
  context.stdout_is_tty = ::isatty(STDOUT_FILENO) == 1;
  context.stderr_is_tty = ::isatty(STDERR_FILENO) == 1;
  const char* no_color = std::getenv("NO_COLOR");
  context.color = context.stdout_is_tty && (no_color == nullptr || *no_color == '\0');

  CLI::App app{"safedb: a guard for destructive PostgreSQL operations"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::help);

  std::optional<Handler> chosen;
  struct Bound {
    CLI::App* sub;
    Handler handler;
    bool needs_crypto;
  };
  std::vector<Bound> handlers;
  for (const CommandSpec& spec : kCommands) {
    CLI::App* sub = app.add_subcommand(std::string(spec.name), std::string(spec.description));
    handlers.push_back({sub, spec.setup(*sub), spec.needs_crypto});
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the problem and a usage hint; usage errors are exit 2.
    app.exit(e);
    return to_int(ExitCode::usage);
  }

  for (auto& [sub, handler, needs_crypto] : handlers) {
    if (sub->parsed()) {
      if (needs_crypto) {
        if (Status loaded = crypto::load_library(); !loaded) return report(loaded.error());
      }
      try {
        Result<ExitCode> result = handler(context);
        if (!result) return report(result.error());
        return to_int(result.value());
      } catch (const std::exception& e) {
        // Only invariant violations end up here; expected failures are Errors.
        return report(Error(ExitCode::usage, fmt::format("internal error: {}", e.what())));
      }
    }
  }
  return to_int(ExitCode::usage);
}

}  // namespace safedb::cli
