#include "backup/index_check.h"

#include <fmt/format.h>

#include <chrono>

namespace safedb::backup::detail {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr std::string_view kLockNotAvailable = "55P03";

}  // namespace

IndexCheck::IndexCheck(db::Connection& conn, int server_version)
    : conn_(conn), version_(server_version) {
  thread_ = std::thread([this] { run(); });
}

IndexCheck::~IndexCheck() {
  stop();
}

void IndexCheck::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  // A cancel request reaches only a statement already running: repeat it
  // until the thread has seen `stopping_`.
  while (!done_) {
    conn_.cancel();
    std::this_thread::sleep_for(kPoll);
  }
  thread_.join();
}

const VerifyResult& IndexCheck::wait() {
  if (thread_.joinable()) thread_.join();
  return found_;
}

void IndexCheck::run() {
  if (prepare()) {
    while (!post_data_done_ && !stopping_) {
      check_built(Wait::no);
      std::this_thread::sleep_for(kPoll);
    }
    if (!stopping_) check_built(Wait::yes);
  }
  done_ = true;
}

bool IndexCheck::prepare() {
  if (version_ < 110000) {
    found_.amcheck_skipped = "amcheck's heapallindexed check needs PostgreSQL 11 or newer";
    return false;
  }
  if (Result<db::QueryResult> r = conn_.exec("CREATE EXTENSION IF NOT EXISTS amcheck"); !r) {
    found_.amcheck_skipped = fmt::format(
        "the amcheck extension cannot be created on the scratch "
        "server: {}",
        r.error().message());
    return false;
  }
  Result<db::QueryResult> r = conn_.exec(
      "SELECT format('%I.bt_index_check', n.nspname) FROM pg_catalog.pg_extension e"
      " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'");
  if (r && !r->rows.empty()) function_ = r->at(0, 0).value_or(function_);
  return true;
}

void IndexCheck::check_built(Wait wait) {
  const char* timeout = wait == Wait::no ? "SET lock_timeout = '20ms'" : "SET lock_timeout = 0";
  if (Result<db::QueryResult> r = conn_.exec(timeout); !r) {
    if (wait == Wait::no) return;  // try again, and at the latest in the last pass
  }
  Result<db::QueryResult> indexes = conn_.exec(
      "SELECT c.oid::text, format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_index i"
      " JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " JOIN pg_catalog.pg_am a ON a.oid = c.relam"
      " WHERE a.amname = 'btree' AND i.indisvalid AND i.indisready AND c.relpersistence <> 't'"
      "   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'"
      " ORDER BY 2");
  if (!indexes) {
    if (wait == Wait::yes && !stopping_)
      found_.amcheck_skipped =
          fmt::format("cannot list the indexes: {}", indexes.error().message());
    return;
  }
  for (const auto& row : indexes->rows) {
    if (stopping_) return;
    const std::string oid = row[0].value_or("0");
    const std::string name = row[1].value_or("?");
    if (checked_.contains(oid)) continue;
    Result<db::QueryResult> r =
        conn_.exec(fmt::format("SELECT {}({}::pg_catalog.regclass, true)", function_, oid));
    if (!r && wait == Wait::no && conn_.last_error() &&
        conn_.last_error()->sqlstate == kLockNotAvailable)
      continue;  // locked by post-data: the next pass tries again
    checked_.insert(oid);
    if (!r) {
      if (stopping_) return;
      found_.problems.push_back({"index " + name, "amcheck: " + r.error().message()});
      if (!conn_.is_open()) return;
    }
    ++found_.indexes_checked;
  }
}

}  // namespace safedb::backup::detail
