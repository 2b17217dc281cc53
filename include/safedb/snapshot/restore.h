#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/snapshot/snapshot.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

namespace detail {
struct RestoreEntry;  // snapshot/restore_steps.h
}

// What `safedb restore` was asked to do.
struct RestoreOptions {
  std::optional<int> statement;  // only the tables saved before this statement
  bool in_place = false;         // put the data back; default: copy into `schema`
  std::string schema;            // for copies; default safedb_restore_<run id>
  bool progress = false;         // draw progress on stderr while loading the rows
  // Keep the enabled user triggers of tables restored in place from firing
  // while rows go back (disabled by name for the run, then enabled again as
  // they were); without it they fire, and plan() says so in notes().
  bool disable_triggers = false;
};

// Restores what a snapshot saved, as SQL that runs as an ordinary guarded run
// (policies, gates, intent and outcome records), after prepare() loaded the
// snapshot's rows into temporary tables of that run's session.
//
// In place: deleted rows are inserted again, updated rows are reverted by
// primary key, dropped tables are recreated with their definition and data,
// dropped columns are added back and refilled, a changed column type is
// changed back and refilled, and the views and materialized views dropped
// with them are created again (materialized views refreshed), as are the
// parts of kept tables and the functions, types, sequences and extensions
// dropped with them. A row whose key was used again since
// (DELETE, TRUNCATE) or that is gone (UPDATE) is a conflict: left alone and reported.
class Restorer {
 public:
  Restorer(Manifest manifest, std::string folder, RestoreOptions options);
  ~Restorer();
  Restorer(const Restorer&) = delete;  // entries point into the manifest
  Restorer& operator=(const Restorer&) = delete;

  // Decides what to do from the snapshot and the database as it is now
  // (which tables and columns exist), and returns the SQL to run. Fails,
  // naming every problem, when something cannot be restored (a dropped table
  // that exists again, an UPDATE to revert on a table without a primary key).
  Result<std::string> plan(db::Connection& conn);
  // What the person restoring should know about the plan (triggers that
  // will fire), one sentence each; filled by plan().
  const std::vector<std::string>& notes() const { return notes_; }
  // Whether plan() found nothing to do: what the snapshot holds is back as
  // it was, or left as it is (a sequence that went past where it stood).
  bool nothing_to_do() const { return nothing_to_do_; }
  // Whether the snapshot holds nothing at all (its statements found nothing
  // to save: a DROP ... IF EXISTS of what was not there).
  bool holds_nothing() const {
    return manifest_.tables.empty() && manifest_.views.empty() && manifest_.parts.empty() &&
           manifest_.objects.empty();
  }

  // Refuses (exit status 3) a database other than the one the snapshot was taken on.
  Status check_identity(const db::TargetIdentity& identity) const;

  // For RunHooks::prepare: refuses a database other than the snapshot's,
  // pins the output settings and loads every saved row file into its
  // temporary table.
  Status prepare(db::Connection& conn, const db::TargetIdentity& identity);

  // For RunHooks::finished: compares what is in the database now with the
  // snapshot, table by table (content hash, or the saved rows still missing),
  // and counts conflicts; and each view recreated, by its definition. Returns
  // the per-table and per-view results; ok() tells whether everything matched.
  nlohmann::json verify(db::Connection& conn);
  bool ok() const { return ok_; }

 private:
  bool nothing_to_do_ = false;
  Manifest manifest_;
  std::string folder_;
  RestoreOptions options_;
  std::vector<detail::RestoreEntry> entries_;
  // Views the chosen statements dropped, later statements first; created
  // again after the tables, by a restore in place only.
  std::vector<const SavedView*> views_;
  // Parts of kept tables the chosen statements dropped, later statements
  // first, each statement's in the manifest's order; added again last, by
  // a restore in place only.
  std::vector<const SavedPart*> parts_;
  // Schemas, default privileges, extensions, types, sequences, functions and
  // procedures the chosen statements dropped, later statements first: by a
  // restore in place only, before the tables, and functions and procedures
  // after them (their bodies may name the tables).
  std::vector<const SavedObject*> objects_;
  std::vector<std::string> notes_;
  bool ok_ = false;
};

}  // namespace safedb::snapshot
