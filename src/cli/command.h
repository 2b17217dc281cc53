#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::cli {

// What every command's handler gets: where to write, and whether the output
// is a terminal (colour, progress) as decided once at start-up.
struct Context {
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;
  bool color = false;  // stdout is a TTY and NO_COLOR is unset
};

// A command's handler: runs after parsing, returns the exit status or an Error.
using Handler = std::function<Result<ExitCode>(Context&)>;

// One row of the command table: name, one-line description, a setup
// function that declares the command's options on `sub` and returns the
// handler bound to them, and whether the command signs, verifies or hashes
// (libcrypto is then loaded before the handler runs, and its absence is one
// error line). Usage, help and "did you mean" come from this table.
struct CommandSpec {
  std::string_view name;
  std::string_view description;
  Handler (*setup)(CLI::App& sub);
  bool needs_crypto = true;
};

// Prints "safedb: error: <message>" on stderr: for commands that report
// several problems before failing with the last one.
void print_error(const Error& error);

// Each command file defines its setup function.
Handler setup_audit(CLI::App& sub);
Handler setup_backup(CLI::App& sub);
Handler setup_check(CLI::App& sub);
Handler setup_rules(CLI::App& sub);
Handler setup_keys(CLI::App& sub);
Handler setup_run(CLI::App& sub);
Handler setup_init(CLI::App& sub);
Handler setup_plan(CLI::App& sub);
Handler setup_approve(CLI::App& sub);
Handler setup_dry_run(CLI::App& sub);
Handler setup_policy(CLI::App& sub);
Handler setup_restore(CLI::App& sub);

}  // namespace safedb::cli
