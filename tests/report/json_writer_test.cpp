#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

#include "report/json_writer.h"

using safedb::report::JsonWriter;

namespace {

std::string written(const std::string& value) {
  std::string out;
  JsonWriter w(out);
  w.value(value);
  w.finish();
  return out;
}

}  // namespace

TEST_CASE("JSON strings escape quotes, backslashes and control characters anywhere", "[report]") {
  // Every byte that needs an escape, at every offset of two sixteen-byte
  // windows, between plain ASCII and UTF-8: the result must parse back to
  // the input.
  const std::string specials[] = {"\"",   "\\",  "\n", "\r", "\t", std::string(1, '\0'),
                                  "\x01", "\x1f"};
  for (const std::string& special : specials) {
    for (std::size_t offset = 0; offset < 40; ++offset) {
      const std::string input =
          std::string(offset, 'a') + special + "\xc3\xa9t\xc3\xa9 " + std::string(9, 'b');
      const std::string json = written(input);
      INFO("offset " << offset << " byte " << static_cast<int>(special[0]));
      CHECK(nlohmann::json::parse(json).get<std::string>() == input);
    }
  }
  CHECK(written("plain ascii text of some length") == "\"plain ascii text of some length\"");
  CHECK(written("tab\there") == "\"tab\\there\"");
  CHECK(written(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
  CHECK(written("\x7f and \xe2\x82\xac stay as they are") ==
        "\"\x7f and \xe2\x82\xac stay as they are\"");
}

TEST_CASE("a writer to a file writes the same document as one to a string", "[report]") {
  // Large enough to leave the writer's buffer many times, with strings longer
  // than the buffer too.
  auto document = [](JsonWriter& w) {
    w.begin_object();
    w.key("items");
    w.begin_array();
    for (int i = 0; i < 2000; ++i) {
      w.begin_object();
      w.member("index", i);
      w.member("text", std::string("line \"") + std::to_string(i) + "\"");
      w.end_object();
    }
    w.end_array();
    w.member("long", std::string(40000, 'x') + "\n" + std::string(40000, 'y'));
    w.end_object();
    w.text("\n");
  };
  std::string whole;
  {
    JsonWriter one(whole);
    document(one);
  }
  CHECK(nlohmann::json::parse(whole)["items"].size() == 2000);

  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  {
    JsonWriter to_file(file);
    document(to_file);
    CHECK(to_file.finish());
  }
  std::rewind(file);
  std::string read;
  char chunk[4096];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, file)) > 0;)
    read.append(chunk, n);
  std::fclose(file);
  CHECK(read == whole);

  std::FILE* full = std::fopen("/dev/full", "w");
  REQUIRE(full != nullptr);
  JsonWriter to_full(full);
  document(to_full);
  CHECK_FALSE(to_full.finish());
  std::fclose(full);
}

TEST_CASE("the writer indents like nlohmann's dump(2) at every depth", "[report]") {
  // Deeper than the writer's fixed-length line breaks reach, with commas.
  nlohmann::json expected = nlohmann::json::array({1, "x"});
  for (int depth = 0; depth < 40; ++depth)
    expected = nlohmann::json{{"a", expected}, {"b", depth}, {"c", nlohmann::json::array()}};
  std::string out;
  {
    JsonWriter w(out);
    auto write = [&](auto& self, const nlohmann::json& j) -> void {
      if (j.is_object()) {
        w.begin_object();
        for (auto it = j.begin(); it != j.end(); ++it) {
          w.key(it.key());
          self(self, it.value());
        }
        w.end_object();
      } else if (j.is_array()) {
        w.begin_array();
        for (const nlohmann::json& e : j)
          self(self, e);
        w.end_array();
      } else if (j.is_string()) {
        w.value(j.get<std::string>());
      } else {
        w.value(j.get<int>());
      }
    };
    write(write, expected);
  }
  CHECK(out == expected.dump(2));
}
