#pragma once

#include <string>

#include "safedb/config/config.h"
#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::exec {

// Sets what every statement of a run runs under: lock_timeout,
// statement_timeout, idle_in_transaction_session_timeout, and
// application_name "safedb/<run-id> <actor>" (which names the holder of the
// run lock to whoever waits for it).
Status prepare_session(db::Connection& conn, const std::string& run_id, const std::string& actor,
                       const config::ExecutionSettings& settings);

// Takes the per-database session advisory lock that keeps two safedb runs
// apart, waiting up to `wait`. On timeout the error names the holder (its run
// id and actor, from its application_name) and since when it runs.
Status acquire_run_lock(db::Connection& conn, util::Duration wait);
// Releases it; also released when the session ends.
void release_run_lock(db::Connection& conn);

// A new run id: "r" + UTC time + random suffix, e.g. "r20261121T124501Z-3f9a1c2b".
std::string new_run_id();

}  // namespace safedb::exec
