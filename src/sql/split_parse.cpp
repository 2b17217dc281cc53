#include <condition_variable>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "sql/pg_api.h"

namespace safedb::sql::pg {

// One part, parsed on a thread that keeps its trees until the part is
// destroyed. A mutex and condition variable (rather than futures) hand the
// result over, which thread checkers such as helgrind can follow.
class SplitParse::Part {
 public:
  // `sql` is the file up to the part's end, blank before its start.
  explicit Part(std::string sql) : text_(std::move(sql)), thread_([this] { run(); }) {}
  ~Part() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
      changed_.notify_all();
    }
    thread_.join();
  }
  Part(const Part&) = delete;
  Part& operator=(const Part&) = delete;

  // Waits for the parse.
  const Parsed& result() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return parsed_done_; });
    return parsed_;
  }

 private:
  void run() {
    Arena arena;
    Parsed parsed = raw_parse(text_);
    std::unique_lock lock(mutex_);
    parsed_ = std::move(parsed);
    parsed_done_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return released_; });
  }  // the Arena frees the trees here, on the thread that made them

  const std::string text_;
  std::mutex mutex_;
  std::condition_variable changed_;
  Parsed parsed_;             // guarded by mutex_ until parsed_done_
  bool parsed_done_ = false;  // guarded by mutex_
  bool released_ = false;     // guarded by mutex_
  std::thread thread_;        // last: starts once everything above exists
};

SplitParse::SplitParse(const std::string& sql, const std::vector<std::size_t>& cuts) {
  try {
    for (std::size_t k = 0; k < cuts.size(); ++k) {
      const std::size_t from = cuts[k];
      const std::size_t to = k + 1 < cuts.size() ? cuts[k + 1] : sql.size();
      std::string part(from, ' ');
      part.append(sql, from, to - from);
      parts_.push_back(std::make_unique<Part>(std::move(part)));
    }
  } catch (const std::system_error&) {
    parts_.clear();  // no threads to be had: parse it all here
  }
  if (parts_.empty()) {
    parsed_ = raw_parse(sql);
    return;
  }

  parsed_ = raw_parse(sql.substr(0, cuts.front()));
  for (std::size_t k = 0; k < parts_.size() && !parsed_.error; ++k) {
    const Parsed& part = parts_[k]->result();
    if (part.error) {
      parsed_.error = part.error;
      break;
    }
    const ListCell* cell;
    foreach (cell, part.statements) {
      auto* raw = static_cast<RawStmt*>(lfirst(cell));
      // The first statement of a part starts where the blank does; the
      // whole file's parse has it start just past the cut.
      const int from = static_cast<int>(cuts[k]);
      if (raw->stmt_location < from) {
        if (raw->stmt_len > 0) raw->stmt_len -= from - raw->stmt_location;
        raw->stmt_location = from;
      }
      parsed_.statements = lappend(parsed_.statements, raw);
    }
  }
  if (parsed_.error) parsed_ = raw_parse(sql);
}

SplitParse::~SplitParse() = default;

}  // namespace safedb::sql::pg
