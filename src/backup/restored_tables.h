#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "safedb/content/content.h"
#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::backup::detail {

// Hashes the tables of a database that pg_restore is still restoring, on a
// session and thread of its own, each table once its rows are known to be
// in (ready()), so that reading the data back overlaps the rest of the
// restore. Each table is one COPY in its own transaction: the session holds
// ACCESS SHARE on one table at a time, which index builds (SHARE) do not
// wait for; an ADD PRIMARY KEY (ACCESS EXCLUSIVE) waits at most for that
// one table's COPY, and the COPY for it, never in a cycle.
//
// Thread safety: every member function is for one controlling thread.
class TableHasher {
 public:
  // REQUIRES: content::pin_text_output() ran on `conn`, which is the
  // hasher's until it ends (wait() or stop() returned) and outlives it.
  TableHasher(db::Connection& conn, std::vector<content::TableDigest> tables);
  ~TableHasher();  // stop()
  TableHasher(const TableHasher&) = delete;
  TableHasher& operator=(const TableHasher&) = delete;

  const std::vector<content::TableDigest>& tables() const { return tables_; }
  // Table `index` (of tables()) holds all its rows: hash it after those
  // handed over before it. Handing a table over twice hashes it once.
  void ready(std::size_t index);
  // Every table not handed over yet is ready; no more ready() calls after it.
  void all_ready();
  // True once it finished every table, or failed.
  bool done() const { return done_; }
  // True once it failed (wait() then returns why).
  bool failed() const { return failed_; }
  // Bytes of COPY output hashed so far (for progress).
  std::uint64_t bytes() const { return bytes_; }
  // No further table is started and the COPY running is cancelled; waits
  // for the thread. Idempotent.
  void stop();
  // Waits for the end: every table's digest, or the first failure (also
  // after stop()).
  Result<std::vector<content::TableDigest>> wait();

 private:
  void run();

  db::Connection& conn_;
  std::vector<content::TableDigest> tables_;
  std::vector<bool> handed_;  // controlling thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::size_t> queue_;  // guarded by mutex_
  bool closed_ = false;            // guarded by mutex_
  std::atomic<bool> stopping_{false};
  std::atomic<bool> done_{false};
  std::atomic<bool> failed_{false};
  std::atomic<std::uint64_t> bytes_{0};
  std::optional<Error> failure_;  // the thread's until done_
  std::thread thread_;
};

// Which tables pg_restore's data section has finished loading, watched from
// another session of the scratch database. Each table's rows arrive in one
// COPY whose transaction holds ROW EXCLUSIVE on the table until it commits:
// a table seen with that lock held by another session running a COPY, and
// later seen without it, has all its rows committed. Only a COPY counts: a
// dump made with --inserts loads a table in many transactions, one INSERT
// each (and where pg_stat_activity hides other sessions' statements, no
// table counts). A table loaded between two polls
// is never seen and counts as loaded only when the whole section is done.
// Partitions are not watched: loaded through their root
// (--load-via-partition-root), a partition's rows can come from more than
// one COPY.
class LoadWatch {
 public:
  // REQUIRES: `conn` is connected to the scratch database, is used by no one
  // else while the watch is polled, and outlives it.
  LoadWatch(db::Connection& conn, int server_version) : conn_(conn), version_(server_version) {}
  // The indexes (in `tables`) of tables first seen loaded by this poll. A
  // failed poll is an Error; the caller may simply stop polling.
  Result<std::vector<std::size_t>> poll(const std::vector<content::TableDigest>& tables);

 private:
  Status find_tables(const std::vector<content::TableDigest>& tables);

  db::Connection& conn_;
  int version_;
  bool found_ = false;
  std::map<std::string, std::size_t> by_oid_;  // watched tables: oid -> index
  std::set<std::string> loading_;              // oids seen locked, not yet seen released
};

}  // namespace safedb::backup::detail
