#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "content/copy_binary.h"

using safedb::content::detail::BinaryTuples;

namespace {

std::string int16(int v) {
  return {static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}

std::string int32(long v) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((v >> shift) & 0xff);
  return out;
}

const std::string kHeader = std::string("PGCOPY\n\377\r\n\0", 11) + int32(0) + int32(0);
const std::string kTrailer = int16(-1);

// A tuple of text fields; nullopt-like "\x01" stands for NULL.
std::string tuple(const std::vector<std::string>& fields) {
  std::string out = int16(static_cast<int>(fields.size()));
  for (const std::string& f : fields)
    out += f == "\x01" ? int32(-1) : int32(static_cast<long>(f.size())) + f;
  return out;
}

struct Split {
  std::vector<std::string> tuples;
  bool ok = true;
  std::string error;
};

// Feeds `stream` in pieces of `piece` bytes.
Split split(const std::string& stream, std::size_t piece) {
  BinaryTuples parser;
  Split out;
  for (std::size_t at = 0; at < stream.size() && out.ok; at += piece) {
    safedb::Status fed = parser.feed(std::string_view(stream).substr(at, piece),
                                     [&](std::string_view t) { out.tuples.emplace_back(t); });
    if (!fed) {
      out.ok = false;
      out.error = fed.error().message();
    }
  }
  if (out.ok) {
    if (safedb::Status ended = parser.finish(); !ended) {
      out.ok = false;
      out.error = ended.error().message();
    }
  }
  return out;
}

}  // namespace

TEST_CASE("a binary COPY stream splits into its tuples however it is cut", "[content]") {
  const std::vector<std::string> tuples = {tuple({"1", "alice"}), tuple({"2", "\x01"}), tuple({}),
                                           tuple({std::string(300, 'x'), ""})};
  std::string stream = kHeader;
  for (const std::string& t : tuples)
    stream += t;
  stream += kTrailer;
  for (std::size_t piece : {stream.size(), std::size_t{1}, std::size_t{2}, std::size_t{7},
                            std::size_t{19}, std::size_t{64}}) {
    INFO("pieces of " << piece << " bytes");
    Split s = split(stream, piece);
    REQUIRE(s.ok);
    CHECK(s.tuples == tuples);
  }
  SECTION("with a header extension, which is skipped") {
    std::string extended =
        std::string("PGCOPY\n\377\r\n\0", 11) + int32(0) + int32(3) + "abc" + tuples[0] + kTrailer;
    Split s = split(extended, 5);
    REQUIRE(s.ok);
    CHECK(s.tuples == std::vector<std::string>{tuples[0]});
  }
}

TEST_CASE("what is not a whole binary COPY stream is refused with a reason", "[content]") {
  const std::string good = kHeader + tuple({"1"}) + kTrailer;
  SECTION("text output") {
    Split s = split("1\talice\n", 100);
    CHECK_FALSE(s.ok);
    CHECK(s.error.find("malformed") != std::string::npos);
  }
  SECTION("no signature") {
    std::string bad = good;
    bad[0] = 'X';
    CHECK(split(bad, 100).error.find("no PGCOPY signature") != std::string::npos);
  }
  SECTION("a flag it does not understand (OIDs)") {
    std::string bad = std::string("PGCOPY\n\377\r\n\0", 11) + int32(1 << 16) + int32(0) + kTrailer;
    CHECK(split(bad, 100).error.find("header flags") != std::string::npos);
  }
  SECTION("a field length below -1") {
    std::string bad = kHeader + int16(1) + int32(-2) + kTrailer;
    CHECK(split(bad, 100).error.find("a field of -2 bytes") != std::string::npos);
  }
  SECTION("cut short before the trailer") {
    CHECK(split(good.substr(0, good.size() - 2), 3).error.find("ends before its trailer") !=
          std::string::npos);
    CHECK(split(good.substr(0, good.size() - 3), 3).error.find("ends before its trailer") !=
          std::string::npos);
  }
  SECTION("bytes after the trailer") {
    CHECK(split(good + "x", 100).error.find("bytes follow its trailer") != std::string::npos);
    CHECK(split(good + "x", 1).error.find("bytes follow its trailer") != std::string::npos);
  }
}
