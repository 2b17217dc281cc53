#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "safedb/db/connection.h"
#include "safedb/sql/analysis.h"

// Measures which table-level locks PostgreSQL really takes for a statement,
// to hold the analyser's claims (Statement::lock) against the server.
namespace safedb::test {

struct ObservedLock {
  sql::LockMode mode = sql::LockMode::none;  // strongest mode seen on a pre-existing relation
  std::string relation;                      // the relation it was taken on ("" for none)
  std::string error_sqlstate;                // set when the statement itself failed
  std::string error;                         // the server's message then
};

// The LockMode for a pg_locks.mode value such as "ShareRowExclusiveLock";
// none for anything else.
sql::LockMode lock_mode_from_pg(std::string_view pg_mode);
// The LOCK TABLE spelling of a mode, e.g. "SHARE ROW EXCLUSIVE". REQUIRES: mode != none.
std::string lock_table_mode(sql::LockMode mode);
// For test messages: the mode's name, "(no lock)", or "(not measured)" for nullopt.
// Tests compare these strings rather than the enum so that Catch prints names.
std::string lock_name(std::optional<sql::LockMode> mode);

// Runs `BEGIN; <statement>`, reads this backend's relation locks from
// pg_locks, and rolls back. Only relations of schema "public" that existed
// before the statement count. REQUIRES: `conn` is idle, not in a transaction.
// Throws std::runtime_error if the session breaks.
ObservedLock observe_in_transaction(db::Connection& conn, std::string_view statement);

// For statements that cannot run in a transaction block (VACUUM, CREATE
// INDEX CONCURRENTLY, ...): another session holds ACCESS EXCLUSIVE on `table`
// while the statement runs, and pg_locks shows which mode it waits for. A
// lock that conflicts with every stronger mode but not with the one seen
// then takes over, to catch later escalation, until the statement finishes.
// Only locks on `table` are visible this way, and a wait for a holder's
// transaction (not a relation lock) ends the search. The statement really
// runs, so use a database it may change. Throws std::runtime_error after 30 s.
ObservedLock observe_by_blocking(const std::string& conninfo, std::string_view statement,
                                 const std::string& table);

}  // namespace safedb::test
