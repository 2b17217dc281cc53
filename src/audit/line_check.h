#pragma once

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "safedb/audit/record.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/hash.h"

namespace safedb::audit {

// What verify learns from one line on its own, with no knowledge of its
// neighbours: computed for many lines in parallel, then folded in order.
struct LineCheck {
  std::optional<Record> record;  // none: the line is not a record (see `malformed`)
  std::string malformed;
  crypto::Digest line_hash{};  // SHA-256 of the line, the next record's `prev`
  crypto::Digest leaf{};       // its RFC 6962 leaf hash
  bool signed_by_actor = false;
  std::string signature_problem;  // why not, in words
  std::string note_problem;       // a checkpoint whose signed note does not match it
};

// With `vouched`, the record's signature is taken as verified (an earlier
// verification a verified mark vouches for checked it) and not checked again.
LineCheck check_line(std::string_view line, const crypto::AllowedSigners& signers,
                     bool vouched = false);

// Runs f(i) for i in [0, count) on `threads` threads (the caller's included).
template <typename F>
void parallel_for(std::size_t count, unsigned threads, const F& f) {
  constexpr std::size_t kChunk = 64;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t begin; (begin = next.fetch_add(kChunk)) < count;) {
      for (std::size_t i = begin; i < std::min(count, begin + kChunk); ++i)
        f(i);
    }
  };
  std::vector<std::thread> helpers;
  const std::size_t wanted = std::min<std::size_t>(threads, (count + kChunk - 1) / kChunk);
  for (std::size_t t = 1; t < wanted; ++t)
    helpers.emplace_back(work);
  work();
  for (std::thread& helper : helpers)
    helper.join();
}

}  // namespace safedb::audit
