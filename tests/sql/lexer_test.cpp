#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sql/lexer_agreement.h"

using safedb::test::lexer_disagreement;

namespace {

// Inputs that exercise each rule the Lexer mirrors.
const char* const kTricky[] = {
    "SELECT 1; -- c\nSELECT 2 /* c */ ;",
    "SELECT 1 -- a\r\n;",
    "SELECT 1 -- a\rSELECT 2\n;",
    "/* a /* nested */ still */ SELECT 1;",
    "SELECT 1 /*/ x */;",
    "SELECT 2 /***/ /**/;",
    "SELECT 3 /* x **/ ; SELECT 4 */* x */",
    "SELECT 'a''b -- no', E'x\\' -- no', e'\\\\';",
    "SELECT 'a'\n'b' -- c\n  'd';",
    "SELECT 'a' -- c\n'b';",
    "SELECT 'a'\v\n'b' x, 'c'\n-- c\n'd';",
    "SELECT 'a' /* c */\n'b';",
    "SELECT 'a'   'b';",
    "SELECT E'a'\n'\\' -- x';",
    "SELECT B'01''1';",
    "SELECT X'0f'\n'aa';",
    "SELECT N'x -- y', U&'d\\0061t' UESCAPE '\\', U&\"d;\" FROM t;",
    "SELECT \"a\"\"--b\", \"\"\"\";",
    "SELECT $$ -- ; \\ $$, $a$ $$ $a$, $a$b$ ; $a$b$;",
    "SELECT a$$b$$, $1$$x$$, $b$ -- $b$;",
    "SELECT $abc + 1;",
    "SELECT 1--2\n, 1/*x*/2, a--b\n;",
    "SELECT 1+--2\n, 2*/*x*/3, 4 @-- x\n;",
    "SELECT 1.5.e'x', 1..2, .5, 1e5, 1e-5, 1e--5\n;",
    "SELECT 0x1F, 0o17, 0b101, 1_000, 0xae'x';",
    "SELECT $111E1$$1;\n",
    "SELECT 1_$$x$$, 0x1_$$y$$, 1._5, $1_$$z$$, 0x_1;",
    "SELECT $6_1$$4_ ; SELECT $2_0;",  // a parameter takes no underscores
    "SELECT xe'x', bx'1', ux'1', u&x;",
    "SELECT 'x'\v; SELECT\f1;",
    "SELECT 1 \\gset\n\\echo 'a\nSELECT 2;",
    "\\set x 1\nSELECT :x; \\\\ SELECT 3;",
    "SELECT 'ünï', \"ç$\", é$ö$ FROM t;",
    "SELECT 1; ;; SELECT 2;",
    "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);",
};

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return std::move(buffer).str();
}

}  // namespace

TEST_CASE("the byte-level lexer agrees with PostgreSQL's lexer on tricky input", "[sql]") {
  for (const char* sql : kTricky) {
    CAPTURE(sql);
    CHECK(lexer_disagreement(sql) == "");
  }
}

TEST_CASE("the byte-level lexer agrees with PostgreSQL's lexer on every SQL file", "[sql]") {
  namespace fs = std::filesystem;
  int files = 0;
  for (const char* dir : {"tests", "examples", "runbooks"}) {
    const fs::path root = fs::path(SAFEDB_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
      const std::string path = entry.path().string();
      CAPTURE(path);
      CHECK(lexer_disagreement(read(entry.path())) == "");
      ++files;
    }
  }
  CHECK(files > 20);
}

TEST_CASE("the byte-level lexer never reads past the text", "[sql]") {
  for (const char* sql : {"'", "E'\\", "$a$", "/*", "\"", "--", "0x", "U&", "$", "'a'\n--"}) {
    safedb::sql::Lexer lexer(sql);
    int tokens = 0;
    for (safedb::sql::Token t; lexer.next(t);)
      ++tokens;
    CHECK(tokens >= 1);
  }
}
