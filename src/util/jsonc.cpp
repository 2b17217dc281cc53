#include "safedb/util/jsonc.h"

#include "safedb/util/spelling.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace safedb::util {
namespace {

using nlohmann::json;

// An input iterator over the text that counts how far the parser has read,
// so the SAX handler below knows the position of each event.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, std::size_t* consumed) : p_(p), consumed_(consumed) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    ++p_;
    if (consumed_) ++*consumed_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator& other) const { return p_ == other.p_; }
  bool operator!=(const CountingIterator& other) const { return p_ != other.p_; }

 private:
  const char* p_;
  std::size_t* consumed_;
};

// Builds the DOM like nlohmann's own SAX DOM parser, and records the line of
// every value and refuses duplicate keys.
class LocatingSax {
 public:
  LocatingSax(std::string_view text, const std::size_t* consumed)
      : text_(text), consumed_(consumed) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return put(json(v)); }
  bool string(json::string_t& v) { return put(json(std::move(v))); }
  bool binary(json::binary_t&) { return fail("binary values are not JSON text"); }
  bool start_object(std::size_t) {
    json* slot = place(json::object());
    stack_.push_back(slot);
    return slot != nullptr;
  }
  bool key(json::string_t& k) {
    json& obj = *stack_.back();
    if (obj.contains(k)) return fail(fmt::format("duplicate key \"{}\"", k));
    key_ = k;
    key_line_ = line_at(*consumed_ ? *consumed_ - 1 : 0);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    if (!path_.empty() && !stack_.empty()) path_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    json* slot = place(json::array());
    stack_.push_back(slot);
    return slot != nullptr;
  }
  bool end_array() {
    stack_.pop_back();
    if (!path_.empty() && !stack_.empty()) path_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, column 2:
    // ...".
    std::string what = e.what();
    std::size_t colon = what.find(": ", what.find("column"));
    error_position_ = position > 0 ? position - 1 : 0;
    error_ = colon == std::string::npos ? what : what.substr(colon + 2);
    return false;
  }

  json root;
  std::map<std::string, int> lines;
  std::optional<std::string> error_;
  std::size_t error_position_ = 0;

 private:
  int line_at(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    return 1 + static_cast<int>(
                   std::count(text_.begin(), text_.begin() + static_cast<long>(offset), '\n'));
  }

  std::string pointer() const {
    std::string p;
    for (const std::string& token : path_)
      p += "/" + token;
    return p;
  }

  // Inserts `value` at the current position and returns its address; for
  // containers, the path grows by its key or index until it ends.
  json* place(json value) {
    const std::size_t here = *consumed_ ? *consumed_ - 1 : 0;
    if (stack_.empty()) {
      root = std::move(value);
      lines[""] = line_at(here);
      return &root;
    }
    json& parent = *stack_.back();
    std::string token;
    int line = 0;
    json* slot = nullptr;
    if (parent.is_object()) {
      token = pointer_token(key_);
      line = key_line_;
      slot = &(parent[key_] = std::move(value));
    } else {
      token = std::to_string(parent.size());
      line = line_at(here);
      parent.push_back(std::move(value));
      slot = &parent.back();
    }
    path_.push_back(token);
    lines[pointer()] = line;
    if (!slot->is_structured()) path_.pop_back();
    return slot;
  }

  bool put(json value) { return place(std::move(value)) != nullptr; }

  bool fail(std::string message) {
    error_ = std::move(message);
    error_position_ = *consumed_ ? *consumed_ - 1 : 0;
    return false;
  }

  std::string_view text_;
  const std::size_t* consumed_;
  std::vector<json*> stack_;
  std::vector<std::string> path_;
  std::string key_;
  int key_line_ = 0;
};

std::string type_name(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "true/false";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "a list";
  if (v.is_object()) return "an object";
  return "null";
}

}  // namespace

std::string key_path(const std::string& pointer) {
  std::string out;
  std::size_t i = 0;
  while (i < pointer.size()) {
    std::size_t next = pointer.find('/', i + 1);
    std::string token =
        pointer.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1);
    for (std::size_t k; (k = token.find("~1")) != std::string::npos;)
      token.replace(k, 2, "/");
    for (std::size_t k; (k = token.find("~0")) != std::string::npos;)
      token.replace(k, 2, "~");
    out += (out.empty() ? "" : ".") + token;
    i = next == std::string::npos ? pointer.size() : next;
  }
  return out.empty() ? "(top level)" : out;
}

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

int JsonDocument::line_of(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    auto it = lines.find(p);
    if (it != lines.end()) return it->second;
    if (p.empty()) return 1;
    p = p.substr(0, p.rfind('/'));
  }
}

Result<JsonDocument> parse_jsonc(std::string_view text, const std::string& name) {
  std::size_t consumed = 0;
  LocatingSax sax(text, &consumed);
  CountingIterator first(text.data(), &consumed);
  CountingIterator last(text.data() + text.size(), nullptr);
  json::sax_parse(first, last, &sax, nlohmann::detail::input_format_t::json, true, true);
  if (sax.error_) {
    std::size_t offset = std::min(sax.error_position_, text.size());
    int line = 1 + static_cast<int>(
                       std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
    std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    line_start = line_start == std::string_view::npos || offset == 0 ? 0 : line_start + 1;
    return Error::input(
        fmt::format("{}:{}:{}: {}", name, line, offset - line_start + 1, *sax.error_));
  }
  return JsonDocument{std::move(sax.root), name, std::move(sax.lines)};
}

Result<JsonDocument> load_jsonc(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::input(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_jsonc(buffer.str(), path);
}

const json* JsonReader::at(const std::string& pointer) const {
  const json::json_pointer p(pointer);
  return doc_.value.contains(p) ? &doc_.value.at(p) : nullptr;
}

bool JsonReader::has(const std::string& pointer) const {
  return at(pointer) != nullptr;
}

void JsonReader::problem(const std::string& pointer, const std::string& message) {
  problems_.push_back(
      fmt::format("{}:{}: {}: {}", doc_.name, doc_.line_of(pointer), key_path(pointer), message));
}

bool JsonReader::object(const std::string& pointer, const std::vector<std::string_view>& known) {
  const json* v = at(pointer);
  if (v == nullptr) return false;
  if (!v->is_object()) {
    problem(pointer, fmt::format("expected an object, found {}", type_name(*v)));
    return false;
  }
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) != known.end()) continue;
    problem(pointer + "/" + pointer_token(it.key()), "unknown key" + did_you_mean(it.key(), known));
  }
  return true;
}

std::optional<std::string> JsonReader::string(const std::string& pointer) {
  const json* v = at(pointer);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    problem(pointer, fmt::format("expected a string, found {}", type_name(*v)));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<bool> JsonReader::boolean(const std::string& pointer) {
  const json* v = at(pointer);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    problem(pointer, fmt::format("expected true or false, found {}", type_name(*v)));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::int64_t> JsonReader::integer(const std::string& pointer) {
  const json* v = at(pointer);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) {
    problem(pointer, fmt::format("expected a whole number, found {}", type_name(*v)));
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

std::optional<std::vector<std::string>> JsonReader::strings(const std::string& pointer) {
  const json* v = at(pointer);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    problem(pointer, fmt::format("expected a list of strings, found {}", type_name(*v)));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      problem(pointer + "/" + std::to_string(i),
              fmt::format("expected a string, found {}", type_name((*v)[i])));
      ok = false;
      continue;
    }
    out.push_back((*v)[i].get<std::string>());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Duration> JsonReader::duration(const std::string& pointer) {
  std::optional<std::string> text = string(pointer);
  if (!text) return std::nullopt;
  Result<Duration> d = parse_duration(*text);
  if (!d) {
    problem(pointer, d.error().message());
    return std::nullopt;
  }
  return *d;
}

std::vector<std::string> JsonReader::keys(const std::string& pointer) const {
  std::vector<std::string> out;
  const json* v = at(pointer);
  if (v == nullptr || !v->is_object()) return out;
  for (auto it = v->begin(); it != v->end(); ++it)
    out.push_back(it.key());
  return out;
}

std::size_t JsonReader::size(const std::string& pointer) const {
  const json* v = at(pointer);
  return v == nullptr ? 0 : v->size();
}

Status JsonReader::finish() const {
  if (problems_.empty()) return {};
  std::string message;
  for (const std::string& p : problems_)
    message += (message.empty() ? "" : "\n") + p;
  return Error::input(message);
}

}  // namespace safedb::util
