// Differential libFuzzer target: the byte-level Lexer (src/sql/lexer.h) must
// agree with PostgreSQL's lexer on every text that the latter accepts and that
// Source accepts (UTF-8, no NUL), in what the analyser takes from tokens.
//
//   build-fuzz/tests/fuzz/fuzz_lexer -dict=tests/fuzz/sql.dict CORPUS_DIR

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "safedb/sql/source.h"
#include "sql/lexer_agreement.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (!safedb::sql::Source::from_text("fuzz.sql", text)) return 0;
  const std::string difference = safedb::test::lexer_disagreement(text);
  if (!difference.empty()) {
    std::fprintf(stderr, "fuzz_lexer: %s\n", difference.c_str());
    std::abort();
  }
  return 0;
}
