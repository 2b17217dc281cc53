// The baseline for `safedb check`: reads SQL files and parses each one with
// libpg_query's raw parser only (no scanning, classification or report).
//
// usage: bench_raw_parse [--repeat N] FILE...
//
// Prints one line per file: bytes, statements in the parse tree, and the
// fastest parse time of N repetitions (file reading excluded). Exits 1 if a
// file cannot be read or does not parse, 2 on a usage error.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

// PostgreSQL's headers come last: port.h turns printf and fprintf into macros.
extern "C" {
#include <pg_query.h>
#include <pg_query_internal.h>
}
#undef printf
#undef fprintf

namespace {

struct ParseRun {
  bool ok = false;
  std::string error;
  int statements = 0;
  double seconds = 0;
};

ParseRun parse_once(const std::string& text) {
  ParseRun run;
  const auto start = std::chrono::steady_clock::now();
  MemoryContext context = pg_query_enter_memory_context();
  PgQueryInternalParsetreeAndError result =
      pg_query_raw_parse(text.c_str(), PG_QUERY_PARSE_DEFAULT);
  if (result.error != nullptr) {
    run.error = result.error->message != nullptr ? result.error->message : "syntax error";
    pg_query_free_error(result.error);
  } else {
    run.ok = true;
    run.statements = list_length(result.tree);
  }
  free(result.stderr_buffer);
  pg_query_exit_memory_context(context);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

bool read_file(const char* path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = std::move(buffer).str();
  return !in.bad();
}

int usage() {
  std::fprintf(stderr, "usage: bench_raw_parse [--repeat N] FILE...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 1;
  std::vector<const char*> files;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--repeat") {
      if (i + 1 >= argc) return usage();
      repeat = std::atoi(argv[++i]);
      if (repeat < 1) return usage();
    } else if (arg.starts_with("-") && arg != "-") {
      return usage();
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.empty()) return usage();

  int status = 0;
  for (const char* path : files) {
    std::string sql;
    if (!read_file(path, sql)) {
      std::fprintf(stderr, "bench_raw_parse: %s: cannot read\n", path);
      status = 1;
      continue;
    }
    ParseRun best;
    for (int r = 0; r < repeat; ++r) {
      ParseRun run = parse_once(sql);
      if (!run.ok) {
        std::fprintf(stderr, "bench_raw_parse: %s: parse error: %s\n", path, run.error.c_str());
        status = 1;
        best = run;
        break;
      }
      if (r == 0 || run.seconds < best.seconds) best = run;
    }
    if (!best.ok) continue;
    std::printf("%s bytes=%zu statements=%d parse_seconds=%.6f\n", path, sql.size(),
                best.statements, best.seconds);
  }
  return status;
}
