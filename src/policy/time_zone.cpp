#include "safedb/policy/time_zone.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "posix_tz.h"

namespace safedb::policy {

// What a TZif file says: transition instants, the offset after each, and the
// footer rule for instants after the last transition.
struct TimeZone::Data {
  std::string name;
  std::vector<std::int64_t> times;
  std::vector<std::int32_t> offsets;  // offsets[i] applies from times[i]
  std::int32_t initial_offset = 0;    // before the first transition
  std::optional<PosixTz> rule;
};

namespace {

class Bytes {
 public:
  explicit Bytes(std::string_view b) : b_(b) {}
  bool has(std::size_t n) const { return pos_ <= b_.size() && b_.size() - pos_ >= n; }
  std::uint64_t be(int width) {
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i)
      v = (v << 8) | static_cast<unsigned char>(b_[pos_ + static_cast<std::size_t>(i)]);
    pos_ += static_cast<std::size_t>(width);
    return v;
  }
  void skip(std::size_t n) { pos_ += n; }
  std::size_t pos() const { return pos_; }
  std::string_view rest() const { return b_.substr(std::min(pos_, b_.size())); }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

struct Header {
  char version = 0;
  std::uint64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

bool read_header(Bytes& in, Header& h) {
  if (!in.has(44)) return false;
  if (in.rest().substr(0, 4) != "TZif") return false;
  h.version = in.rest()[4];
  in.skip(20);
  h.isutcnt = in.be(4);
  h.isstdcnt = in.be(4);
  h.leapcnt = in.be(4);
  h.timecnt = in.be(4);
  h.typecnt = in.be(4);
  h.charcnt = in.be(4);
  // Bounds that keep the sizes below far from overflow; real files are tiny.
  return h.typecnt >= 1 && h.typecnt <= 256 && h.timecnt < 1'000'000 && h.leapcnt < 100'000 &&
         h.charcnt < 100'000 && (h.isutcnt == 0 || h.isutcnt == h.typecnt) &&
         (h.isstdcnt == 0 || h.isstdcnt == h.typecnt);
}

std::size_t block_size(const Header& h, int time_width) {
  const auto w = static_cast<std::size_t>(time_width);
  return h.timecnt * w + h.timecnt + h.typecnt * 6 + h.charcnt + h.leapcnt * (w + 4) + h.isstdcnt +
         h.isutcnt;
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '+' ||
           c == '-';
  });
}

}  // namespace

Result<TimeZone> TimeZone::from_tzif(const std::string& name, std::string_view bytes) {
  auto bad = [&](std::string_view why) {
    return Error::input(fmt::format("{}: not a usable zoneinfo file ({})", name, why));
  };
  Bytes in(bytes);
  Header h;
  if (!read_header(in, h)) return bad("bad header");
  int width = 4;
  if (h.version >= '2') {
    // Skip the 32-bit block; the 64-bit one after it says the same with wider times.
    if (!in.has(block_size(h, 4))) return bad("truncated");
    in.skip(block_size(h, 4));
    if (!read_header(in, h)) return bad("bad second header");
    width = 8;
  }
  if (!in.has(block_size(h, width))) return bad("truncated");

  auto data = std::make_shared<Data>();
  data->name = name;
  std::vector<std::int64_t> times;
  for (std::uint64_t i = 0; i < h.timecnt; ++i) {
    const std::uint64_t raw = in.be(width);
    times.push_back(width == 8 ? static_cast<std::int64_t>(raw)
                               : static_cast<std::int32_t>(static_cast<std::uint32_t>(raw)));
  }
  std::vector<std::uint8_t> type_of;
  for (std::uint64_t i = 0; i < h.timecnt; ++i) {
    type_of.push_back(static_cast<std::uint8_t>(in.be(1)));
    if (type_of.back() >= h.typecnt) return bad("transition to an unknown type");
  }
  std::vector<std::int32_t> type_offsets;
  for (std::uint64_t i = 0; i < h.typecnt; ++i) {
    const auto offset = static_cast<std::int32_t>(static_cast<std::uint32_t>(in.be(4)));
    in.skip(2);  // isdst, abbreviation index: not needed
    if (offset < -89'999 || offset > 93'599) return bad("offset out of range");
    type_offsets.push_back(offset);
  }
  in.skip(h.charcnt + h.leapcnt * (static_cast<std::size_t>(width) + 4) + h.isstdcnt + h.isutcnt);
  for (std::size_t i = 1; i < times.size(); ++i) {
    if (times[i] <= times[i - 1]) return bad("transitions out of order");
  }
  data->times = std::move(times);
  for (std::uint8_t t : type_of)
    data->offsets.push_back(type_offsets[t]);
  data->initial_offset = type_offsets[0];

  if (width == 8) {
    // The footer: "\n<POSIX TZ rule>\n"; an empty rule means none.
    std::string_view rest = in.rest();
    if (rest.size() < 2 || rest.front() != '\n') return bad("missing footer");
    std::size_t close = rest.find('\n', 1);
    if (close == std::string_view::npos) return bad("unterminated footer");
    std::string_view rule = rest.substr(1, close - 1);
    if (!rule.empty()) {
      Result<PosixTz> tz = parse_posix_tz(rule);
      if (!tz) return bad(tz.error().message());
      data->rule = *tz;
    }
  }
  return TimeZone(std::move(data));
}

TimeZone TimeZone::utc() {
  auto data = std::make_shared<Data>();
  data->name = "UTC";
  return TimeZone(std::move(data));
}

Result<TimeZone> TimeZone::load(const std::string& name) {
  if (!valid_name(name))
    return Error::input(fmt::format("'{}' is not a time zone name (e.g. UTC, Europe/Paris)", name));
  const char* tzdir = std::getenv("TZDIR");
  const std::string dir = tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo";
  const std::string path = dir + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (name == "UTC") return utc();
    return Error::input(fmt::format("unknown time zone '{}' (no {})", name, path));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad())
    return Error::input(
        fmt::format("unknown time zone '{}' ({} is not a zoneinfo file)", name, path));
  Result<TimeZone> zone = from_tzif(name, buffer.str());
  if (!zone)
    return Error::input(
        fmt::format("unknown time zone '{}' ({} is not a zoneinfo file)", name, path));
  return zone;
}

const std::string& TimeZone::name() const {
  return data_->name;
}

std::int32_t TimeZone::offset_at(std::int64_t t) const {
  const Data& d = *data_;
  if (d.times.empty()) return d.rule ? d.rule->offset_at(t) : d.initial_offset;
  if (t < d.times.front()) return d.initial_offset;
  if (t > d.times.back() && d.rule) return d.rule->offset_at(t);
  auto it = std::upper_bound(d.times.begin(), d.times.end(), t);
  return d.offsets[static_cast<std::size_t>(it - d.times.begin()) - 1];
}

std::optional<std::int64_t> TimeZone::next_transition(std::int64_t t) const {
  const Data& d = *data_;
  auto it = std::upper_bound(d.times.begin(), d.times.end(), t);
  if (it != d.times.end()) return *it;
  if (d.rule) return d.rule->next_transition(t);
  return std::nullopt;
}

}  // namespace safedb::policy
