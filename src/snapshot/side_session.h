#pragma once

// Internal to the snapshot module: a second session that reads a
// snapshot's rows while the statement runs on the run's own session.
//
// Why: on a DELETE or UPDATE, reading the rows (the server's COPY) costs as
// much as the statement itself. The run's session locks the table against
// writers and exports its MVCC snapshot; this session imports it, so it sees
// exactly the rows the statement is about to change, and reads them on
// another server process while the statement runs. The run commits only
// after the read finished and its file is synced (Taker::after_statement).

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// Opens another session to the run's database, set up like the run's own
// (timeouts, application name).
using SessionOpener = std::function<Result<db::Connection>()>;

// One row, one text column: who the session runs as and every setting that
// can change what a predicate means (search_path, TimeZone, DateStyle, ...),
// hashed. Two sessions with equal fingerprints evaluate a predicate that is
// sql::same_in_any_session() the same way on the same snapshot.
std::string fingerprint_sql();

class SideSession {
 public:
  // Starts connecting with `open` on a thread of its own, so that the
  // session is usually there by the time a statement needs it.
  explicit SideSession(SessionOpener open);
  ~SideSession();  // stops a running read and closes the session
  SideSession(const SideSession&) = delete;
  SideSession& operator=(const SideSession&) = delete;

  // Joins the run's transaction: starts a read-only REPEATABLE READ
  // transaction on `snapshot_id` (the run's pg_export_snapshot(), taken
  // after its lock), runs `lock_sql` (ACCESS SHARE on the table, so that the
  // read never waits for the run), and checks that `relation` still names
  // table `oid` here and that this session's fingerprint is `fingerprint`.
  // False when the session is not there or any of that fails or differs:
  // the transaction is rolled back and the caller reads on its own session.
  bool join(const std::string& snapshot_id, const std::string& fingerprint,
            const std::string& lock_sql, const std::string& relation, const std::string& oid);

  // Runs `read` on a thread of its own, then ends the transaction.
  // REQUIRES: join() returned true, and no read is running.
  void start(std::function<void(db::Connection&)> read);

  // Waits for the read started last. Meanwhile it keeps `main` (idle in its
  // transaction) from reaching idle_in_transaction_session_timeout. On
  // SIGINT or SIGTERM it cancels the read, waits for it and returns false.
  bool wait(db::Connection& main);

  // Cancels a running read, if any, and waits for it. Idempotent.
  void stop();

 private:
  bool ready();  // waits for the connecting thread; true if the session is usable
  void finish_thread();

  SessionOpener open_;
  std::thread connecting_;
  std::optional<db::Connection> conn_;

  std::thread reading_;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = true;  // no read running (guarded by mutex_)
};

}  // namespace safedb::snapshot
