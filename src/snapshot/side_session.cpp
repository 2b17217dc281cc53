#include "snapshot/side_session.h"

#include <fmt/format.h>

#include <chrono>

#include "safedb/exec/interrupt.h"
#include "safedb/util/sql_quote.h"

namespace safedb::snapshot {
namespace {

using Clock = std::chrono::steady_clock;

// How often a waiting run's session sends a statement, so that the server's
// idle_in_transaction_session_timeout (at least a second, in practice far
// more) never ends it while a large read goes on.
constexpr auto kKeepAlive = std::chrono::milliseconds(500);
// How often a wait looks for SIGINT/SIGTERM.
constexpr auto kPoll = std::chrono::milliseconds(20);

}  // namespace

std::string fingerprint_sql() {
  // The transaction's own settings differ by design (this session is a
  // read-only REPEATABLE READ one), and so may lock_timeout (join() waits
  // briefly) and application_name; none changes what a predicate selects.
  // Everything else must be equal.
  return "SELECT md5(current_user || ' ' || string_agg(name || '=' || setting, E'\\n' ORDER BY "
         "name)) FROM pg_settings WHERE name NOT LIKE 'transaction\\_%' AND name NOT IN "
         "('lock_timeout', 'application_name')";
}

SideSession::SideSession(SessionOpener open) : open_(std::move(open)) {
  connecting_ = std::thread([this] {
    Result<db::Connection> c = open_();
    if (c) conn_.emplace(std::move(*c));
  });
}

SideSession::~SideSession() {
  stop();
  if (connecting_.joinable()) connecting_.join();
}

bool SideSession::ready() {
  if (connecting_.joinable()) connecting_.join();
  return conn_ && conn_->is_open();
}

bool SideSession::join(const std::string& snapshot_id, const std::string& fingerprint,
                       const std::string& lock_sql, const std::string& relation,
                       const std::string& oid) {
  if (!ready()) return false;
  // A short lock wait: ACCESS SHARE waits only behind an ACCESS EXCLUSIVE
  // request queued behind the run's own lock, which would wait for the run.
  Result<db::QueryResult> joined = conn_->exec(fmt::format(
      "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT {}; "
      "SET LOCAL lock_timeout = '200ms'; {}; SELECT ({}) = {} AND to_regclass({})::oid = {}",
      util::quote_literal(snapshot_id), lock_sql, fingerprint_sql(),
      util::quote_literal(fingerprint), util::quote_literal(relation), oid));
  if (joined && joined->at(0, 0) == std::optional<std::string>("t")) return true;
  (void)conn_->exec("ROLLBACK");
  return false;
}

void SideSession::start(std::function<void(db::Connection&)> read) {
  finish_thread();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = false;
  }
  reading_ = std::thread([this, read = std::move(read)] {
    read(*conn_);
    // Read-only: COMMIT and ROLLBACK end it alike; ROLLBACK also ends a failed one.
    (void)conn_->exec("ROLLBACK");
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
    done_cv_.notify_all();
  });
}

bool SideSession::wait(db::Connection& main) {
  auto last_sent = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!done_) {
    done_cv_.wait_for(lock, kPoll, [this] { return done_; });
    if (done_) break;
    if (exec::InterruptGuard::interrupted()) {
      lock.unlock();
      stop();
      return false;
    }
    if (Clock::now() - last_sent >= kKeepAlive) {
      lock.unlock();
      (void)main.exec("SELECT 1");
      last_sent = Clock::now();
      lock.lock();
    }
  }
  lock.unlock();
  finish_thread();
  return true;
}

void SideSession::stop() {
  bool running = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running = !done_;
  }
  if (running && conn_) conn_->cancel();
  finish_thread();
}

void SideSession::finish_thread() {
  if (reading_.joinable()) reading_.join();
}

}  // namespace safedb::snapshot
