#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <thread>

#include "content/row_pipeline.h"

using safedb::content::detail::RowBatch;
using safedb::content::detail::RowPipeline;

namespace {

// Rows of varying length, like COPY's, each ending with a newline.
std::string row(int i) {
  return "row " + std::to_string(i) + " " + std::string(static_cast<std::size_t>(i % 300), 'x') +
         "\n";
}

}  // namespace

TEST_CASE("every row reaches the consumer once, whole and in order, across many batches",
          "[content]") {
  std::string seen;
  std::size_t rows = 0;
  bool whole = true;
  std::thread::id consumer;
  RowPipeline pipeline([&](const RowBatch& batch) {
    consumer = std::this_thread::get_id();
    for (std::size_t i = 0; i < batch.rows(); ++i)
      whole = whole && batch.row(i).ends_with('\n') && batch.row(i).starts_with("row ");
    rows += batch.rows();
    seen += batch.bytes;
    return true;
  });
  std::string sent;
  for (int i = 0; i < 50000; ++i) {
    sent += row(i);
    REQUIRE(pipeline.add(row(i)));
  }
  REQUIRE(sent.size() > 20 * 256 * 1024);  // many batches, so the consumer thread ran
  CHECK(pipeline.finish());
  CHECK(rows == 50000);
  CHECK(whole);
  CHECK(seen == sent);
  CHECK(consumer != std::this_thread::get_id());
}

TEST_CASE("fewer rows than one batch are consumed by finish() without a thread", "[content]") {
  std::string seen;
  std::thread::id consumer;
  RowPipeline pipeline([&](const RowBatch& batch) {
    consumer = std::this_thread::get_id();
    seen += batch.bytes;
    return batch.rows() == 3;
  });
  for (int i = 0; i < 3; ++i)
    REQUIRE(pipeline.add(row(i)));
  CHECK(seen.empty());
  CHECK(pipeline.finish());
  CHECK(seen == row(0) + row(1) + row(2));
  CHECK(consumer == std::this_thread::get_id());
}

TEST_CASE("a consumer that stops stops the reader and finish() reports it", "[content]") {
  int batches = 0;
  RowPipeline pipeline([&](const RowBatch&) { return ++batches < 3; });
  int added = 0;
  while (added < 1000000 && pipeline.add(row(added)))
    ++added;
  CHECK(added < 1000000);  // add() said to stop long before the end
  CHECK_FALSE(pipeline.finish());
  CHECK(batches == 3);  // nothing was consumed after it stopped
}

TEST_CASE("an exception in the consumer reaches the reader", "[content]") {
  int batches = 0;
  RowPipeline pipeline([&](const RowBatch&) -> bool {
    if (++batches == 2) throw std::runtime_error("consumer failed");
    return true;
  });
  int added = 0;
  while (added < 1000000 && pipeline.add(row(added)))
    ++added;
  CHECK(added < 1000000);
  CHECK_THROWS_WITH(pipeline.finish(), "consumer failed");
}

TEST_CASE("abandoning a pipeline drops the rows not consumed yet", "[content]") {
  std::size_t rows = 0;
  RowPipeline pipeline([&](const RowBatch& batch) {
    rows += batch.rows();
    return true;
  });
  for (int i = 0; i < 20000; ++i)
    REQUIRE(pipeline.add(row(i)));
  CHECK_NOTHROW(pipeline.abandon());
  CHECK(rows < 20000);  // the last, partial batch never reached the consumer
}
