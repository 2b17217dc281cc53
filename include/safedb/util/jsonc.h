#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "safedb/util/duration.h"
#include "safedb/util/result.h"

namespace safedb::util {

// A JSON document read from a file that people edit: comments (// and /* */)
// are allowed, duplicate keys are not, and the line of every member and array
// element is known, so that problems can be reported as "file:line: key: ...".
struct JsonDocument {
  nlohmann::json value;
  std::string name;                  // the file name, for messages
  std::map<std::string, int> lines;  // JSON pointer ("/targets/prod/dsn") -> 1-based line

  // The line of the value at `pointer`, or of its nearest ancestor that has one.
  int line_of(const std::string& pointer) const;
};

// Parses `text`. A syntax error or duplicate key fails with "name:line:column: ...".
Result<JsonDocument> parse_jsonc(std::string_view text, const std::string& name);
// Reads and parses a file; a missing or unreadable file names the path.
Result<JsonDocument> load_jsonc(const std::string& path);

// Reads typed values out of a JsonDocument and collects every problem, so a
// whole file can be reported at once. Pointers are JSON pointers. Every
// accessor returns nullopt when the value is absent or has the wrong type
// (the latter is recorded as a problem).
class JsonReader {
 public:
  explicit JsonReader(const JsonDocument& doc) : doc_(doc) {}

  bool has(const std::string& pointer) const;
  // Checks that `pointer` is an object whose keys are all in `known`;
  // unknown keys are problems (with a "did you mean" when one is close).
  bool object(const std::string& pointer, const std::vector<std::string_view>& known);
  std::optional<std::string> string(const std::string& pointer);
  std::optional<bool> boolean(const std::string& pointer);
  std::optional<std::int64_t> integer(const std::string& pointer);
  std::optional<std::vector<std::string>> strings(const std::string& pointer);
  std::optional<Duration> duration(const std::string& pointer);
  // The keys of the object at `pointer` (empty if absent or not an object).
  std::vector<std::string> keys(const std::string& pointer) const;
  std::size_t size(const std::string& pointer) const;

  // Records "name:line: key: message" for the value at `pointer`.
  void problem(const std::string& pointer, const std::string& message);
  // Ok if there were no problems; otherwise one Error listing all of them, one per line.
  Status finish() const;

 private:
  const nlohmann::json* at(const std::string& pointer) const;
  const JsonDocument& doc_;
  std::vector<std::string> problems_;
};

// "a/b" -> "a~1b": a key as one JSON pointer token.
std::string pointer_token(std::string_view key);
// "/rules/1/require" -> "rules.1.require": how messages name the key at a pointer.
std::string key_path(const std::string& pointer);

}  // namespace safedb::util
