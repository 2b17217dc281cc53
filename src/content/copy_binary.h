#pragma once

// Internal to the content module: the tuples of a COPY stream in binary
// format. The format (PostgreSQL documentation, COPY, "Binary Format"): an
// 11-byte signature "PGCOPY\n\377\r\n\0", a 32-bit flags field and a 32-bit
// header extension length followed by that many bytes; then each tuple as a
// 16-bit field count followed, for each field, by a 32-bit length (-1 for
// NULL) and that many bytes; then a 16-bit -1 trailer. Integers are signed,
// in network byte order.

#include <functional>
#include <string>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::content::detail {

// Splits a binary COPY stream, fed in order in pieces of any size, into its
// tuples. Not thread-safe: one thread at a time.
class BinaryTuples {
 public:
  // Feeds the next bytes and calls `tuple` with each tuple completed by them
  // (its bytes as in the stream, from the field count on). Fails, saying
  // what is wrong, on a stream that is not binary COPY output or has bytes
  // after its trailer; feeding after a failure fails again.
  Status feed(std::string_view bytes, const std::function<void(std::string_view tuple)>& tuple);
  // After the last feed(): fails unless the stream ended right after its trailer.
  Status finish() const;

 private:
  enum class State { header, tuples, done, failed };
  // Consumes what it can of `bytes` from `at`: the header, then whole
  // tuples; stops at an incomplete one (leaving `at` before it).
  Status parse(std::string_view bytes, std::size_t& at,
               const std::function<void(std::string_view tuple)>& tuple);

  State state_ = State::header;
  std::string pending_;  // an incomplete header or tuple, from the end of earlier pieces
};

}  // namespace safedb::content::detail
