#include "backup/restored_tables.h"

#include <fmt/format.h>

#include <chrono>

#include "safedb/util/progress.h"
#include "safedb/util/sql_quote.h"

namespace safedb::backup::detail {

TableHasher::TableHasher(db::Connection& conn, std::vector<content::TableDigest> tables)
    : conn_(conn), tables_(std::move(tables)), handed_(tables_.size(), false) {
  thread_ = std::thread([this] { run(); });
}

TableHasher::~TableHasher() {
  stop();
}

void TableHasher::ready(std::size_t index) {
  if (index >= handed_.size() || handed_[index]) return;
  handed_[index] = true;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(index);
  }
  wake_.notify_one();
}

void TableHasher::all_ready() {
  for (std::size_t i = 0; i < handed_.size(); ++i)
    ready(i);
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  wake_.notify_one();
}

void TableHasher::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  wake_.notify_one();
  // A cancel request reaches only a statement already running: repeat it
  // until the thread has seen `stopping_` between two tables.
  while (!done_) {
    conn_.cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  thread_.join();
}

Result<std::vector<content::TableDigest>> TableHasher::wait() {
  if (thread_.joinable()) thread_.join();
  if (failure_) return *failure_;
  if (stopping_) return Error::usage("stopped before every table was read");
  return tables_;
}

void TableHasher::run() {
  util::Progress quiet;  // progress is drawn by the controlling thread, from bytes()
  for (;;) {
    std::size_t index = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty() || stopping_) break;
      index = queue_.front();
      queue_.pop_front();
    }
    content::TableDigest& t = tables_[index];
    Status s =
        content::hash_copy(conn_, fmt::format("COPY {} TO STDOUT", t.sql_name()),
                           content::CopyFormat::text, t, quiet, [this](std::string_view rows) {
                             bytes_ += rows.size();
                             return true;
                           });
    if (!s) {
      failure_ = s.error().within(fmt::format("cannot read table {}", t.qualified()));
      failed_ = true;
      break;
    }
  }
  done_ = true;
}

Status LoadWatch::find_tables(const std::vector<content::TableDigest>& tables) {
  // relispartition exists from PostgreSQL 10 on; before, there are no partitions.
  const std::string not_partition = version_ >= 100000 ? " AND NOT c.relispartition" : "";
  Result<db::QueryResult> r = conn_.exec(
      "SELECT c.oid::text, n.nspname, c.relname FROM pg_catalog.pg_class c"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'" +
      not_partition);
  if (!r) return r.error();
  std::map<std::pair<std::string, std::string>, std::size_t> by_name;
  for (std::size_t i = 0; i < tables.size(); ++i)
    by_name[{tables[i].schema, tables[i].name}] = i;
  for (const auto& row : r->rows) {
    auto it = by_name.find({row[1].value_or(""), row[2].value_or("")});
    if (it != by_name.end()) by_oid_[row[0].value_or("")] = it->second;
  }
  found_ = true;
  return {};
}

Result<std::vector<std::size_t>> LoadWatch::poll(const std::vector<content::TableDigest>& tables) {
  if (!found_) {
    if (Status s = find_tables(tables); !s) return s.error();
  }
  Result<db::QueryResult> r = conn_.exec(
      "SELECT DISTINCT l.relation::text FROM pg_catalog.pg_locks l"
      " JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
      " WHERE l.locktype = 'relation' AND l.mode = 'RowExclusiveLock'"
      "   AND l.pid <> pg_catalog.pg_backend_pid() AND l.database ="
      "   (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())"
      "   AND pg_catalog.ltrim(a.query) ILIKE 'COPY %'");
  if (!r) return r.error();
  std::set<std::string> locked;
  for (const auto& row : r->rows)
    if (by_oid_.contains(row[0].value_or(""))) locked.insert(row[0].value_or(""));
  std::vector<std::size_t> loaded;
  for (auto it = loading_.begin(); it != loading_.end();) {
    if (locked.contains(*it)) {
      ++it;
      continue;
    }
    loaded.push_back(by_oid_.at(*it));
    by_oid_.erase(*it);  // loaded once; a later lock on it is no new load
    it = loading_.erase(it);
  }
  for (const std::string& oid : locked)
    if (by_oid_.contains(oid)) loading_.insert(oid);
  return loaded;
}

}  // namespace safedb::backup::detail
