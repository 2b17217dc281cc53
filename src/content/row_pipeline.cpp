#include "content/row_pipeline.h"

#include <utility>

namespace safedb::content::detail {
namespace {

std::unique_ptr<RowBatch> new_batch(std::size_t bytes) {
  auto batch = std::make_unique<RowBatch>();
  batch->bytes.reserve(bytes);
  return batch;
}

}  // namespace

RowPipeline::RowPipeline(std::function<bool(const RowBatch&)> consume)
    : consume_(std::move(consume)), current_(new_batch(kBatchBytes + kBatchBytes / 4)) {}

RowPipeline::~RowPipeline() {
  close_and_join(true);
}

bool RowPipeline::add(std::string_view row) {
  current_->bytes.append(row);
  current_->ends.push_back(current_->bytes.size());
  return current_->bytes.size() < kBatchBytes || push();
}

bool RowPipeline::push() {
  if (!thread_.joinable()) thread_ = std::thread([this] { work(); });
  std::unique_ptr<RowBatch> next;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    has_room_.wait(lock, [&] { return queued_.size() < kDepth || stopped_; });
    if (stopped_) return false;
    queued_.push_back(std::move(current_));
    if (!spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  has_work_.notify_one();
  if (next == nullptr) next = new_batch(kBatchBytes + kBatchBytes / 4);
  next->bytes.clear();
  next->ends.clear();
  current_ = std::move(next);
  return true;
}

bool RowPipeline::finish() {
  if (!thread_.joinable()) {
    // Everything fitted in one batch: no thread was needed.
    return current_->ends.empty() || consume_(*current_);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!current_->ends.empty()) queued_.push_back(std::move(current_));
  }
  close_and_join(false);
  if (error_) std::rethrow_exception(error_);
  return !stopped_;
}

void RowPipeline::abandon() {
  close_and_join(true);
  if (error_) std::rethrow_exception(error_);
}

void RowPipeline::close_and_join(bool drop) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    dropping_ = dropping_ || drop;
  }
  has_work_.notify_one();
  thread_.join();
}

void RowPipeline::work() {
  for (;;) {
    std::unique_ptr<RowBatch> batch;
    bool skip = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      has_work_.wait(lock, [&] { return !queued_.empty() || closed_; });
      if (queued_.empty()) return;
      batch = std::move(queued_.front());
      queued_.pop_front();
      skip = stopped_ || dropping_;
    }
    bool keep = true;
    std::exception_ptr error;
    if (!skip) {
      try {
        keep = consume_(*batch);
      } catch (...) {
        error = std::current_exception();
        keep = false;
      }
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!keep) stopped_ = true;
      if (error && !error_) error_ = error;
      spare_.push_back(std::move(batch));
    }
    has_room_.notify_one();
  }
}

}  // namespace safedb::content::detail
