#pragma once

#include <atomic>
#include <set>
#include <string>
#include <thread>

#include "safedb/backup/verify.h"
#include "safedb/db/connection.h"

namespace safedb::backup::detail {

// amcheck's bt_index_check(index, heapallindexed => true) on every btree
// index of the scratch database, on a session and thread of its own, each
// index once it is built: while pg_restore's post-data section still runs,
// every index already committed to the catalog is complete (CREATE INDEX
// and ADD PRIMARY KEY build it whole in their transaction, and no later
// step changes its entries), so it is checked then. Meanwhile lock_timeout
// keeps the check from ever waiting for pg_restore: an index whose table is
// locked against it is left for the next pass, and the session never waits
// in a cycle. After post-data (post_data_done()), one last pass checks what
// is left, waiting for locks as usual.
//
// Corruption goes to the result's problems, the count to indexes_checked,
// and why amcheck could not run at all to amcheck_skipped.
// Thread safety: the member functions are for one controlling thread.
class IndexCheck {
 public:
  // REQUIRES: `conn` is connected to the scratch database, is the check's
  // until it ends, and outlives it.
  IndexCheck(db::Connection& conn, int server_version);
  ~IndexCheck();  // stop()
  IndexCheck(const IndexCheck&) = delete;
  IndexCheck& operator=(const IndexCheck&) = delete;

  // pg_restore's post-data section finished: check what is left, then end.
  void post_data_done() { post_data_done_ = true; }
  bool done() const { return done_; }
  // Ends the check early (the check running is cancelled); waits for the
  // thread. Idempotent.
  void stop();
  // Waits for the end (REQUIRES: post_data_done() or stop() was called) and
  // returns what was found: problems, indexes_checked, amcheck_skipped.
  const VerifyResult& wait();

 private:
  enum class Wait { no, yes };
  void run();
  bool prepare();
  void check_built(Wait wait);

  db::Connection& conn_;
  int version_;
  std::string function_ = "bt_index_check";
  std::set<std::string> checked_;  // index oids
  VerifyResult found_;             // the thread's until done_
  std::atomic<bool> post_data_done_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace safedb::backup::detail
