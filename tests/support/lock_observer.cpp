#include "support/lock_observer.h"

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace safedb::test {
namespace {

using sql::LockMode;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kPatience{30};

db::QueryResult must(db::Connection& conn, std::string_view sql) {
  Result<db::QueryResult> result = conn.exec(sql);
  if (!result) throw std::runtime_error(std::string(sql) + ": " + result.error().message());
  return std::move(result).value();
}

db::Connection connect(const std::string& conninfo) {
  Result<db::Connection> conn = db::Connection::open(conninfo);
  if (!conn) throw std::runtime_error(conn.error().message());
  return std::move(conn).value();
}

void record_failure(ObservedLock& observed, const db::Connection& conn) {
  if (!conn.last_error()) return;
  observed.error_sqlstate = conn.last_error()->sqlstate;
  observed.error = conn.last_error()->summary();
}

// The weakest mode that conflicts with every mode stronger than `held` and
// with none up to it, where one exists: holding it reveals an escalation.
std::optional<LockMode> escalation_blocker(LockMode held) {
  switch (held) {
    case LockMode::access_share:
      return LockMode::exclusive;
    case LockMode::row_share:
      return LockMode::share_row_exclusive;
    case LockMode::row_exclusive:
      return LockMode::share_update_exclusive;
    case LockMode::share_update_exclusive:
      return LockMode::row_exclusive;
    case LockMode::share:  // ROW SHARE misses SHARE ROW EXCLUSIVE, but catches the rest
    case LockMode::share_row_exclusive:
      return LockMode::row_share;
    case LockMode::exclusive:
      return LockMode::access_share;
    default:
      return std::nullopt;
  }
}

// What `pid` is waiting for, if anything: (locktype, relation oid, mode).
struct Wait {
  std::string locktype;
  std::string relation;
  LockMode mode = LockMode::none;
};

std::optional<Wait> waiting(db::Connection& monitor, int pid) {
  db::QueryResult r = must(monitor,
                           "SELECT locktype, coalesce(relation::text, ''), mode FROM pg_locks "
                           "WHERE NOT granted AND pid = " +
                               std::to_string(pid));
  if (r.rows.empty()) return std::nullopt;
  return Wait{r.at(0, 0).value_or(""), r.at(0, 1).value_or(""),
              lock_mode_from_pg(r.at(0, 2).value_or(""))};
}

// A session holding a lock on the table in an open transaction.
struct Holder {
  db::Connection conn;
  std::future<bool> locked;  // resolves once LOCK TABLE returns
};

}  // namespace

LockMode lock_mode_from_pg(std::string_view pg_mode) {
  static const std::map<std::string_view, LockMode> kModes = {
      {"AccessShareLock", LockMode::access_share},
      {"RowShareLock", LockMode::row_share},
      {"RowExclusiveLock", LockMode::row_exclusive},
      {"ShareUpdateExclusiveLock", LockMode::share_update_exclusive},
      {"ShareLock", LockMode::share},
      {"ShareRowExclusiveLock", LockMode::share_row_exclusive},
      {"ExclusiveLock", LockMode::exclusive},
      {"AccessExclusiveLock", LockMode::access_exclusive},
  };
  auto it = kModes.find(pg_mode);
  return it == kModes.end() ? LockMode::none : it->second;
}

std::string lock_table_mode(LockMode mode) {
  return std::string(sql::to_string(mode));
}

std::string lock_name(std::optional<LockMode> mode) {
  if (!mode) return "(not measured)";
  if (*mode == LockMode::none) return "(no lock)";
  return std::string(sql::to_string(*mode));
}

ObservedLock observe_in_transaction(db::Connection& conn, std::string_view statement) {
  // Relations that exist before the statement, by oid: a relation the
  // statement drops no longer shows in pg_class afterwards.
  std::map<std::string, std::string> existing;
  db::QueryResult rels = must(conn,
                              "SELECT c.oid::text, c.relname FROM pg_class c "
                              "WHERE c.relnamespace = 'public'::regnamespace");
  for (const auto& row : rels.rows)
    existing[row[0].value_or("")] = row[1].value_or("");

  ObservedLock observed;
  must(conn, "BEGIN");
  if (!conn.exec(statement).ok()) {
    record_failure(observed, conn);
    must(conn, "ROLLBACK");
    return observed;
  }
  db::QueryResult locks = must(conn,
                               "SELECT relation::text, mode FROM pg_locks WHERE locktype = "
                               "'relation' AND granted AND pid = pg_backend_pid()");
  must(conn, "ROLLBACK");
  for (const auto& row : locks.rows) {
    auto it = existing.find(row[0].value_or(""));
    if (it == existing.end()) continue;
    const LockMode mode = lock_mode_from_pg(row[1].value_or(""));
    if (mode > observed.mode) {
      observed.mode = mode;
      observed.relation = it->second;
    }
  }
  return observed;
}

ObservedLock observe_by_blocking(const std::string& conninfo, std::string_view statement,
                                 const std::string& table) {
  db::Connection monitor = connect(conninfo);
  db::Connection runner = connect(conninfo);
  const std::string oid =
      must(monitor, "SELECT '" + table + "'::regclass::oid::text").at(0, 0).value_or("");
  const int runner_pid = runner.backend_pid();

  // Every holder lives until the end, so that no thread outlives its session.
  std::vector<std::unique_ptr<Holder>> holders;
  auto hold = [&](LockMode mode) {
    holders.push_back(std::make_unique<Holder>(Holder{connect(conninfo), {}}));
    db::Connection* conn = &holders.back()->conn;
    must(*conn, "BEGIN");
    const std::string lock = "LOCK TABLE " + table + " IN " + lock_table_mode(mode) + " MODE";
    holders.back()->locked =
        std::async(std::launch::async, [conn, lock] { return conn->exec(lock).ok(); });
    return holders.back().get();
  };
  std::future<bool> run;
  // Cancels whatever still runs, so that leaving early (by timeout or by an
  // exception) never waits forever on a session blocked by another.
  auto stop_all = [&] {
    auto pending = [](const std::future<bool>& f) {
      return f.valid() && f.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
    };
    if (pending(run)) runner.cancel();
    for (const auto& h : holders) {
      if (pending(h->locked)) h->conn.cancel();
    }
    if (run.valid()) run.wait();
    for (const auto& h : holders) {
      if (h->locked.valid()) h->locked.wait();
    }
  };
  struct OnExit {
    std::function<void()> action;
    ~OnExit() { action(); }
  } on_exit{stop_all};
  const Clock::time_point deadline = Clock::now() + kPatience;
  auto check_deadline = [&] {
    if (Clock::now() < deadline) return;
    throw std::runtime_error("no progress within 30 s observing: " + std::string(statement));
  };
  auto wait_locked = [&](Holder* h) {
    while (h->locked.wait_for(std::chrono::milliseconds(5)) != std::future_status::ready) {
      check_deadline();
    }
    if (!h->locked.get()) throw std::runtime_error("cannot lock " + table);
  };

  Holder* holder = hold(LockMode::access_exclusive);
  wait_locked(holder);
  run = std::async(std::launch::async,
                   [&runner, text = std::string(statement)] { return runner.exec(text).ok(); });

  ObservedLock observed;
  while (run.wait_for(std::chrono::milliseconds(5)) != std::future_status::ready) {
    check_deadline();
    std::optional<Wait> wait = waiting(monitor, runner_pid);
    if (!wait || holder == nullptr) continue;
    Holder* next = nullptr;
    if (wait->locktype == "relation" && wait->relation == oid) {
      if (wait->mode > observed.mode) {
        observed.mode = wait->mode;
        observed.relation = table;
      }
      if (std::optional<LockMode> blocker = escalation_blocker(wait->mode)) {
        // Queue the next holder behind the statement, so that it is granted
        // right after the statement's request when the current holder leaves.
        next = hold(*blocker);
        const int next_pid = next->conn.backend_pid();
        while (!waiting(monitor, next_pid))
          check_deadline();
      }
    }
    must(holder->conn, "ROLLBACK");
    holder = next;
    if (holder != nullptr) wait_locked(holder);
  }
  if (holder != nullptr) must(holder->conn, "ROLLBACK");
  if (!run.get()) record_failure(observed, runner);
  return observed;
}

}  // namespace safedb::test
