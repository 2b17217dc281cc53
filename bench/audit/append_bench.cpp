// Times single appends to an audit log, each one durable (flock, re-read of
// the tail, SSHSIG signature, write, fsync) as safedb does them.
//
//   audit_append_bench DIR COUNT
// prints: appends, mean_ms, median_ms, p99_ms.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "safedb/audit/log.h"
#include "safedb/crypto/keys.h"

using namespace safedb;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: audit_append_bench DIR COUNT\n");
    return 2;
  }
  const std::string path = std::string(argv[1]) + "/append-bench.jsonl";
  std::remove(path.c_str());
  const int count = std::atoi(argv[2]);
  const auto key = crypto::PrivateKey::generate();
  auto log = audit::AuditLog::open(path, key, "alice@example.com");
  if (!log) {
    std::fprintf(stderr, "audit_append_bench: %s\n", log.error().message().c_str());
    return 1;
  }
  // The first append also writes the log-start record: keep it out of the figures.
  if (!log->append("dry-run", {{"target", "prod"}})) return 1;
  std::vector<double> ms;
  for (int i = 0; i < count; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto appended = log->append("intent", {{"run_id", "run-" + std::to_string(i)},
                                           {"target", "prod-db-1"},
                                           {"summary", "apply migrations/0042.sql"}});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!appended) {
      std::fprintf(stderr, "audit_append_bench: %s\n", appended.error().message().c_str());
      return 1;
    }
  }
  double sum = 0;
  for (double m : ms)
    sum += m;
  std::sort(ms.begin(), ms.end());
  std::printf("appends=%d mean_ms=%.3f median_ms=%.3f p99_ms=%.3f\n", count, sum / count,
              ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]);
  std::remove(path.c_str());
  return 0;
}
