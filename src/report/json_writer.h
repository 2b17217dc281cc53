#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace safedb::report {

// Writes JSON text as it goes, indented by two spaces like nlohmann's
// dump(2), for reports too large to build as a document first: into a string,
// or straight to a file so that a large report is never held whole. Bytes
// collect in a small buffer of its own and leave it in blocks, which costs
// far less than growing a string a few bytes at a time.
// The caller nests begin/end calls correctly; keys are written only inside
// objects. Nothing is complete before finish() (the destructor calls it).
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : string_(&out) {}
  explicit JsonWriter(std::FILE* out) : file_(out) {}
  ~JsonWriter() { finish(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  // Hands over what is buffered. False if a write to the file failed, now or
  // before (errno tells why).
  bool finish() {
    flush();
    return !failed_;
  }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // The next value belongs to `name` (inside an object). Keys are safedb's
  // own names, plain ASCII: written as they are, without escaping.
  // Inlined, so that a literal name is copied with a length known at
  // compile time.
  [[gnu::always_inline]] void key(std::string_view name) {
    separate();
    reserve(name.size() + 4);
    char* p = buffer_.data() + used_;
    *p = '"';
    std::memcpy(p + 1, name.data(), name.size());
    std::memcpy(p + 1 + name.size(), "\": ", 3);
    used_ += name.size() + 4;
    after_key_ = true;
  }
  void value(std::string_view s) {
    separate();
    quoted(s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(std::int64_t n) {
    separate();
    char digits[24];
    put(std::string_view(digits, std::to_chars(digits, digits + sizeof digits, n).ptr - digits));
  }
  void value(int n) { value(static_cast<std::int64_t>(n)); }
  void value(bool b) {
    separate();
    put(b ? std::string_view("true") : std::string_view("false"));
  }
  void null() {
    separate();
    put("null");
  }
  // A value already serialised as JSON (compact), written as it is.
  void raw(std::string_view json_text) {
    separate();
    put(json_text);
  }
  // Text outside the document (a final newline).
  void text(std::string_view s) { put(s); }
  template <typename T>
  [[gnu::always_inline]] void member(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

 private:
  static constexpr std::size_t kBufferSize = 16 * 1024;

  // Makes room for n more bytes. REQUIRES: n <= kBufferSize.
  [[gnu::always_inline]] void reserve(std::size_t n) {
    if (n > kBufferSize - used_) flush();
  }
  [[gnu::always_inline]] void put(char c) {
    if (used_ == kBufferSize) flush();
    buffer_[used_++] = c;
  }
  [[gnu::always_inline]] void put(std::string_view s) {
    if (s.size() > kBufferSize - used_) {
      flush();
      if (s.size() > kBufferSize) return emit(s);
    }
    std::memcpy(buffer_.data() + used_, s.data(), s.size());
    used_ += s.size();
  }
  void flush() {
    emit(std::string_view(buffer_.data(), used_));
    used_ = 0;
  }
  void emit(std::string_view s) {
    if (s.empty()) return;
    if (string_ != nullptr) {
      string_->append(s);
    } else if (std::fwrite(s.data(), 1, s.size(), file_) != s.size()) {
      failed_ = true;
    }
  }

  void open(char bracket) {
    separate();
    put(bracket);
    counts_.push_back(0);
  }
  void close(char bracket) {
    const bool empty = counts_.back() == 0;
    counts_.pop_back();
    if (!empty) line_break(false);
    put(bracket);
  }
  // Comma and newline before an element; nothing after a key.
  [[gnu::always_inline]] void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (counts_.empty()) return;
    line_break(counts_.back()++ > 0);
  }
  // [","] "\n" and two spaces per open container. The usual depth takes one
  // copy of a fixed length (from a constant long enough for it), of which
  // only the needed part counts.
  void line_break(bool comma) {
    static constexpr char kBreak[] =
        ",\n                                                              ";
    static constexpr std::size_t kCopy = sizeof kBreak - 2;  // from kBreak or kBreak + 1
    const std::size_t indent = 2 * counts_.size();
    const std::size_t n = (comma ? 2 : 1) + indent;
    if (n <= kCopy) {
      reserve(kCopy);
      std::memcpy(buffer_.data() + used_, kBreak + (comma ? 0 : 1), kCopy);
      used_ += n;
      return;
    }
    if (comma) put(',');
    put('\n');
    for (std::size_t i = 0; i < indent; ++i)
      put(' ');
  }
  void quoted(std::string_view s) {
    put('"');
    // Runs of bytes that need no escape are written at once.
    for (std::size_t run = 0;;) {
      const std::size_t i = run + plain_prefix(s.substr(run));
      put(s.substr(run, i - run));
      if (i == s.size()) break;
      const char c = s[i];
      run = i + 1;
      switch (c) {
        case '"':
          put("\\\"");
          break;
        case '\\':
          put("\\\\");
          break;
        case '\n':
          put("\\n");
          break;
        case '\r':
          put("\\r");
          break;
        case '\t':
          put("\\t");
          break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          const auto byte = static_cast<unsigned char>(c);
          const char escape[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xf]};
          put(std::string_view(escape, sizeof escape));
        }
      }
    }
    put('"');  // UTF-8 passes through (the source was validated)
  }
  // How many bytes at the start of `s` need no escape: sixteen at a time
  // where SSE2 is there (every x86-64), then eight, then one.
  static std::size_t plain_prefix(std::string_view s) {
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i below_space = _mm_set1_epi8(0x1f);
    for (; i + 16 <= s.size(); i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
      // A byte is a control character when min(byte, 0x1f) == byte (unsigned).
      const __m128i hits =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                       _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v));
      if (const int mask = _mm_movemask_epi8(hits); mask != 0)
        return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
#endif
    for (; i + 8 <= s.size() && !may_need_escape(s.data() + i); i += 8) {
    }
    while (i < s.size() && !needs_escape(s[i]))
      ++i;
    return i;
  }
  // False only if none of the eight bytes at `p` is '"', '\\' or a control
  // character (the classic has-zero-byte and has-less-than tests on a word;
  // a false positive only sends those bytes through needs_escape()).
  static bool may_need_escape(const char* p) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    auto has_zero = [&](std::uint64_t x) { return (x - kOnes) & ~x & kHighs; };
    const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
    return (has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) | below_space) != 0;
  }
  // '"', '\\' and control characters; one table look-up per byte.
  static bool needs_escape(char c) {
    static constexpr auto kTable = [] {
      std::array<bool, 256> table{};
      for (int i = 0; i < 0x20; ++i)
        table[i] = true;
      table['"'] = table['\\'] = true;
      return table;
    }();
    return kTable[static_cast<unsigned char>(c)];
  }

  std::string* string_ = nullptr;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
  std::array<char, kBufferSize> buffer_;
  std::size_t used_ = 0;
  std::vector<int> counts_;  // elements written so far, per open container
  bool after_key_ = false;
};

}  // namespace safedb::report
