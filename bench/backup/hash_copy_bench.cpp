// Content hashing against plain COPY: streams one table with COPY ... TO
// STDOUT twice on one session, once into nothing (the floor: what the server
// and libpq cost) and once through content::hash_copy (SHA-256 per row into
// the multiset sum), and prints both times.
//
//   bench_hash_copy CONNINFO TABLE [ROUNDS]
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "safedb/content/content.h"
#include "safedb/db/connection.h"

using namespace safedb;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_hash_copy CONNINFO TABLE [ROUNDS]\n");
    return 2;
  }
  const int rounds = argc > 3 ? std::stoi(argv[3]) : 3;
  Result<db::Connection> conn = db::Connection::open(argv[1]);
  if (!conn) {
    std::fprintf(stderr, "%s\n", conn.error().message().c_str());
    return 2;
  }
  if (!content::pin_text_output(*conn)) return 2;
  const std::string sql = fmt::format("COPY {} TO STDOUT", argv[2]);
  for (int round = 0; round < rounds; ++round) {
    std::uint64_t bytes = 0;
    auto start = Clock::now();
    Result<std::int64_t> rows = conn->copy_out(sql, [&](std::string_view row) {
      bytes += row.size();
      return true;
    });
    const double plain = std::chrono::duration<double>(Clock::now() - start).count();
    if (!rows) {
      std::fprintf(stderr, "%s\n", rows.error().message().c_str());
      return 2;
    }
    content::TableDigest digest;
    util::Progress quiet;
    start = Clock::now();
    if (Status s = content::hash_copy(*conn, sql, content::CopyFormat::text, digest, quiet); !s) {
      std::fprintf(stderr, "%s\n", s.error().message().c_str());
      return 2;
    }
    const double hashed = std::chrono::duration<double>(Clock::now() - start).count();
    fmt::print("round {} rows {} bytes {} copy_s {:.3f} hash_copy_s {:.3f} ratio {:.3f}\n",
               round + 1, *rows, bytes, plain, hashed, hashed / plain);
  }
  return 0;
}
