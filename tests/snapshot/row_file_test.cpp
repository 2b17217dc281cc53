#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "safedb/crypto/hash.h"
#include "snapshot/row_file.h"
#include "support/temp_dir.h"

using namespace safedb;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("a row file written behind in pieces holds every byte and its SHA-256", "[snapshot]") {
  test::TempDir dir;
  Result<std::unique_ptr<snapshot::RowFile>> file = snapshot::RowFile::create(dir / "0-0.copy");
  REQUIRE(file);
  std::string expected;
  // ~14 MiB in uneven runs: several 4 MiB pieces are started, waited for and dropped.
  for (int i = 0; expected.size() < 14 * 1024 * 1024; ++i) {
    const std::string rows(static_cast<std::size_t>(100000 + i * 7),
                           static_cast<char>('a' + i % 26));
    REQUIRE((*file)->append(rows));
    expected += rows;
  }
  REQUIRE((*file)->start_writeback());
  REQUIRE((*file)->sync());
  CHECK((*file)->size() == expected.size());
  CHECK((*file)->finish_sha256() == crypto::to_hex(crypto::sha256(expected)));
  CHECK(read_all(dir / "0-0.copy") == expected);
}

TEST_CASE("a row file is never created over an existing file", "[snapshot]") {
  test::TempDir dir;
  const std::string path = dir.write("0-0.copy", "saved before");
  Result<std::unique_ptr<snapshot::RowFile>> file = snapshot::RowFile::create(path);
  REQUIRE_FALSE(file);
  CHECK(file.error().message().find("cannot create " + path) != std::string::npos);
  CHECK(read_all(path) == "saved before");
}
