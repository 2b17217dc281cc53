#pragma once

// Internal to the content module: rows handed from the thread that reads a
// COPY to a second thread that hashes them (and writes them, for snapshots),
// so that reading the socket does not wait for SHA-256 or file writes.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace safedb::content::detail {

// Consecutive rows as COPY printed them, packed end to end, in arrival order.
struct RowBatch {
  std::string bytes;
  std::vector<std::size_t> ends;  // offset in `bytes` just past each row

  std::size_t rows() const { return ends.size(); }
  std::string_view row(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
};

// A bounded queue of RowBatches from one reader to one consumer thread.
//
// The reader add()s rows; every full batch (~256 KiB) goes to the consumer,
// which runs `consume` on each batch in order. The reader waits only when
// kDepth batches are queued (the consumer is that far behind), which bounds
// memory. The consumer thread starts with the first full batch: a result
// smaller than one batch is consumed by finish() on the reader's thread,
// with no thread at all.
//
// Thread safety: add(), finish() and abandon() are called by the reader
// only; `consume` runs on one thread at a time and owns whatever it touches
// until finish() or abandon() returns.
class RowPipeline {
 public:
  // `consume` returns false to stop: later batches are dropped and add()
  // returns false from then on. An exception from `consume` stops the same
  // way and is rethrown by finish().
  explicit RowPipeline(std::function<bool(const RowBatch&)> consume);
  ~RowPipeline();  // abandon()s unless finish() ran
  RowPipeline(const RowPipeline&) = delete;
  RowPipeline& operator=(const RowPipeline&) = delete;

  // Copies `row` into the current batch. Returns false once the consumer
  // stopped, so that the reader can stop too.
  bool add(std::string_view row);
  // Hands over the last batch and waits until every batch was consumed.
  // Returns false if `consume` stopped; rethrows its exception.
  bool finish();
  // Drops what is queued and waits for the consumer (after a failed read).
  // Rethrows an exception `consume` raised.
  void abandon();

 private:
  static constexpr std::size_t kBatchBytes = 256 * 1024;
  static constexpr std::size_t kDepth = 8;

  bool push();  // queues current_ and takes a fresh batch
  void work();  // the consumer thread
  // Tells the consumer that nothing more comes (`drop`: skip what is still
  // queued) and waits for it to end.
  void close_and_join(bool drop);

  std::function<bool(const RowBatch&)> consume_;
  std::unique_ptr<RowBatch> current_;  // the reader's batch being filled

  std::mutex mutex_;
  std::condition_variable has_work_;
  std::condition_variable has_room_;
  std::deque<std::unique_ptr<RowBatch>> queued_;
  std::vector<std::unique_ptr<RowBatch>> spare_;  // consumed batches, reused
  bool closed_ = false;                           // the reader is done
  bool dropping_ = false;                         // abandon(): skip the rest
  bool stopped_ = false;                          // `consume` returned false or threw
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace safedb::content::detail
