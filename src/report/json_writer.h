#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace safedb::report {

// Writes JSON text straight into a string, indented by two spaces like
// nlohmann's dump(2), for reports too large to build as a document first.
// The caller nests begin/end calls correctly; keys are written only inside objects.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // The next value belongs to `name` (inside an object).
  void key(std::string_view name) {
    separate();
    quoted(name);
    out_ += ": ";
    after_key_ = true;
  }
  void value(std::string_view s) {
    separate();
    quoted(s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(std::int64_t n) {
    separate();
    fmt::format_to(std::back_inserter(out_), "{}", n);
  }
  void value(int n) { value(static_cast<std::int64_t>(n)); }
  void value(bool b) {
    separate();
    out_ += b ? "true" : "false";
  }
  void null() {
    separate();
    out_ += "null";
  }
  // A value already serialised as JSON (compact), written as it is.
  void raw(std::string_view json_text) {
    separate();
    out_ += json_text;
  }
  template <typename T>
  void member(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

 private:
  void open(char bracket) {
    separate();
    out_ += bracket;
    counts_.push_back(0);
  }
  void close(char bracket) {
    const bool empty = counts_.back() == 0;
    counts_.pop_back();
    if (!empty) newline();
    out_ += bracket;
  }
  // Comma and newline before an element; nothing after a key.
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (counts_.empty()) return;
    if (counts_.back()++ > 0) out_ += ',';
    newline();
  }
  void newline() {
    out_ += '\n';
    out_.append(2 * counts_.size(), ' ');
  }
  void quoted(std::string_view s) {
    out_ += '"';
    // Runs of bytes that need no escape are appended at once.
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
      out_.append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          fmt::format_to(std::back_inserter(out_), "\\u{:04x}", static_cast<unsigned>(c));
      }
    }
    out_.append(s.data() + run, s.size() - run);  // UTF-8 passes through (the source was validated)
    out_ += '"';
  }

  std::string& out_;
  std::vector<int> counts_;  // elements written so far, per open container
  bool after_key_ = false;
};

}  // namespace safedb::report
