#include <catch2/catch.hpp>

#include <string>

#include "safedb/crypto/hash.h"

using namespace safedb::crypto;

namespace {

std::string hex_of(std::string_view text) {
  return to_hex(sha256(text));
}

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

std::string decoded_text(std::string_view base64) {
  auto decoded = base64_decode(base64);
  REQUIRE(decoded.ok());
  return {decoded->begin(), decoded->end()};
}

}  // namespace

TEST_CASE("SHA-256 of the FIPS 180 examples matches the published digests", "[crypto]") {
  CHECK(hex_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex_of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex_of(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 over bytes equals SHA-256 over the same text", "[crypto]") {
  std::vector<std::uint8_t> bytes = bytes_of("abc");
  CHECK(sha256(std::span<const std::uint8_t>(bytes)) == sha256(std::string_view("abc")));
}

TEST_CASE("streaming SHA-256 in pieces equals the one-shot digest", "[crypto]") {
  std::string text;
  for (int i = 0; i < 10000; ++i)
    text += std::to_string(i) + ",";
  Sha256Stream stream;
  for (std::size_t at = 0; at < text.size(); at += 977) {
    stream.update(std::string_view(text).substr(at, 977));
  }
  stream.update("");
  CHECK(stream.finish() == sha256(text));
}

TEST_CASE("hex encodes lower-case and decodes either case", "[crypto]") {
  std::vector<std::uint8_t> bytes{0x00, 0x7f, 0xab, 0xff};
  CHECK(to_hex(bytes) == "007fabff");
  auto decoded = from_hex("007FabFF");
  REQUIRE(decoded.ok());
  CHECK(*decoded == bytes);
  CHECK(from_hex("")->empty());
}

TEST_CASE("hex with an odd length or a non-hex digit is refused, saying where", "[crypto]") {
  auto odd = from_hex("abc");
  REQUIRE_FALSE(odd.ok());
  CHECK_THAT(odd.error().message(), Catch::Contains("odd number"));
  auto bad = from_hex("00zz");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message(), Catch::Contains("'z' at offset 2"));
}

TEST_CASE("base64 follows the RFC 4648 test vectors both ways", "[crypto]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    CHECK(base64_encode(bytes_of(plain)) == encoded);
    CHECK(decoded_text(encoded) == plain);
  }
}

TEST_CASE("base64 uses the standard alphabet with + and /", "[crypto]") {
  std::vector<std::uint8_t> bytes{0xfb, 0xff, 0xbf};
  CHECK(base64_encode(bytes) == "+/+/");
  CHECK(*base64_decode("+/+/") == bytes);
  auto url_safe = base64_decode("-_-_");
  REQUIRE_FALSE(url_safe.ok());
  CHECK_THAT(url_safe.error().message(), Catch::Contains("'-' at offset 0"));
}

TEST_CASE("base64 without padding is refused", "[crypto]") {
  auto result = base64_decode("Zg");
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message(), Catch::Contains("padding"));
}

TEST_CASE("base64 with white space or a line break is refused", "[crypto]") {
  CHECK_THAT(base64_decode("Zm9v Zm9v").error().message(), Catch::Contains("space"));
  CHECK_THAT(base64_decode("Zm9v\nZm9v").error().message(), Catch::Contains("white space"));
  CHECK_FALSE(base64_decode("Zm9vYmFy\n").ok());
}

TEST_CASE("base64 with padding in the middle or too much padding is refused", "[crypto]") {
  CHECK_THAT(base64_decode("Zg==Zm9v").error().message(), Catch::Contains("before its end"));
  CHECK_FALSE(base64_decode("Z===").ok());
  CHECK_FALSE(base64_decode("====").ok());
  CHECK_FALSE(base64_decode("Zm=v").ok());
}

TEST_CASE("base64 with stray bits in its last character is refused as not canonical", "[crypto]") {
  CHECK(base64_decode("Zg==").ok());
  CHECK_THAT(base64_decode("Zh==").error().message(), Catch::Contains("canonical"));
  CHECK(base64_decode("Zm8=").ok());
  CHECK_THAT(base64_decode("Zm9=").error().message(), Catch::Contains("canonical"));
}

TEST_CASE("base64 round-trips every byte value", "[crypto]") {
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 256; ++i)
    bytes.push_back(static_cast<std::uint8_t>(i));
  for (std::size_t length = 0; length <= bytes.size(); length += 37) {
    std::vector<std::uint8_t> part(bytes.begin(), bytes.begin() + static_cast<long>(length));
    CHECK(*base64_decode(base64_encode(part)) == part);
  }
}

TEST_CASE("a multiset hash ignores order but counts duplicates", "[crypto]") {
  auto hash_of = [](std::initializer_list<std::string_view> elements) {
    MultisetHash h;
    for (std::string_view e : elements)
      h.add(e);
    return std::make_pair(h.hex(), h.count());
  };
  const auto abc = hash_of({"a\n", "b\n", "c\n"});
  CHECK(abc == hash_of({"c\n", "a\n", "b\n"}));
  CHECK(abc.second == 3);
  CHECK(abc.first.size() == 64);
  // A duplicate pair must not cancel out, as it would with XOR.
  const auto ab = hash_of({"a\n", "b\n"});
  const auto abcc = hash_of({"a\n", "b\n", "c\n", "c\n"});
  CHECK(abcc.first != ab.first);
  CHECK(abcc.first != abc.first);
  CHECK(hash_of({"a\n", "a\n"}).first != hash_of({}).first);
  CHECK(hash_of({}).first == std::string(64, '0'));
  // One element: the sum is that element's SHA-256 read as a number.
  CHECK(hash_of({"abc"}).first ==
        "ad1500f261ff10b49c7a1796a36103b02322ae5dde404141eacf018fbf1678ba");
}

TEST_CASE("merging multiset hashes equals adding every element to one", "[crypto]") {
  MultisetHash left, right, all;
  for (int i = 0; i < 100; ++i) {
    const std::string row = std::to_string(i) + "\trow\n";
    (i % 3 == 0 ? left : right).add(row);
    all.add(row);
  }
  left.merge(right);
  CHECK(left.hex() == all.hex());
  CHECK(left.count() == 100);
}
