#include "posix_tz.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "civil.h"

namespace safedb::policy {
namespace {

class TzParser {
 public:
  explicit TzParser(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  bool name() {
    if (accept('<')) {
      std::size_t close = text_.find('>', pos_);
      if (close == std::string_view::npos || close == pos_) return false;
      pos_ = close + 1;
      return true;
    }
    std::size_t first = pos_;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek())))
      ++pos_;
    return pos_ - first >= 3;
  }

  // [+-]hh[:mm[:ss]], in seconds.
  std::optional<std::int32_t> hms(int max_hours) {
    int sign = 1;
    if (accept('-'))
      sign = -1;
    else
      accept('+');
    std::optional<int> h = number(3);
    if (!h || *h > max_hours) return std::nullopt;
    int m = 0, s = 0;
    if (accept(':')) {
      std::optional<int> v = number(2);
      if (!v || *v > 59) return std::nullopt;
      m = *v;
      if (accept(':')) {
        v = number(2);
        if (!v || *v > 59) return std::nullopt;
        s = *v;
      }
    }
    return sign * (*h * 3600 + m * 60 + s);
  }

  std::optional<int> number(std::size_t max_digits) {
    std::size_t first = pos_;
    int value = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek())) &&
           pos_ - first < max_digits) {
      value = value * 10 + (peek() - '0');
      ++pos_;
    }
    if (pos_ == first) return std::nullopt;
    return value;
  }

  std::optional<PosixTz::Date> date() {
    using Form = PosixTz::Date::Form;
    PosixTz::Date d;
    if (accept('J')) {
      std::optional<int> n = number(3);
      if (!n || *n < 1 || *n > 365) return std::nullopt;
      d.form = Form::julian_no_leap;
      d.day = *n;
    } else if (accept('M')) {
      std::optional<int> m = number(2);
      if (!m || *m < 1 || *m > 12 || !accept('.')) return std::nullopt;
      std::optional<int> w = number(1);
      if (!w || *w < 1 || *w > 5 || !accept('.')) return std::nullopt;
      std::optional<int> wd = number(1);
      if (!wd || *wd > 6) return std::nullopt;
      d.form = Form::month_week_day;
      d.month = *m;
      d.week = *w;
      d.day = *wd;
    } else {
      std::optional<int> n = number(3);
      if (!n || *n > 365) return std::nullopt;
      d.form = Form::zero_based;
      d.day = *n;
    }
    if (accept('/')) {
      std::optional<std::int32_t> t = hms(167);
      if (!t) return std::nullopt;
      d.time = *t;
    }
    return d;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::int64_t day_of(const PosixTz::Date& d, std::int64_t year) {
  using Form = PosixTz::Date::Form;
  const std::int64_t jan1 = civil::days_from_civil(year, 1, 1);
  switch (d.form) {
    case Form::julian_no_leap:
      return jan1 + d.day - 1 + (civil::is_leap(year) && d.day >= 60 ? 1 : 0);
    case Form::zero_based:
      return jan1 + d.day;
    case Form::month_week_day: {
      const std::int64_t first = civil::days_from_civil(year, d.month, 1);
      int dom = 1 + (d.day - civil::weekday(first) + 7) % 7 + (d.week - 1) * 7;
      while (dom > civil::days_in_month(year, d.month))
        dom -= 7;
      return first + dom - 1;
    }
  }
  return jan1;
}

}  // namespace

Result<PosixTz> parse_posix_tz(std::string_view text) {
  auto bad = [&] { return Error::input(fmt::format("unreadable TZ rule \"{}\"", text)); };
  TzParser p(text);
  PosixTz tz;
  if (!p.name()) return bad();
  std::optional<std::int32_t> std_offset = p.hms(24);
  if (!std_offset) return bad();
  tz.std_offset = -*std_offset;  // POSIX counts west of Greenwich as positive
  if (p.done()) return tz;
  if (!p.name()) return bad();
  if (p.peek() != ',' && !p.done()) {
    std::optional<std::int32_t> dst_offset = p.hms(24);
    if (!dst_offset) return bad();
    tz.dst_offset = -*dst_offset;
  } else {
    tz.dst_offset = tz.std_offset + 3600;
  }
  if (p.accept(',')) {
    std::optional<PosixTz::Date> start = p.date();
    if (!start || !p.accept(',')) return bad();
    std::optional<PosixTz::Date> end = p.date();
    if (!end) return bad();
    tz.start = *start;
    tz.end = *end;
  } else {
    // POSIX leaves the default to the implementation; this is the US rule.
    tz.start = {PosixTz::Date::Form::month_week_day, 0, 3, 2, 7200};
    tz.end = {PosixTz::Date::Form::month_week_day, 0, 11, 1, 7200};
  }
  if (!p.done()) return bad();
  return tz;
}

std::vector<PosixTz::Transition> PosixTz::transitions(std::int64_t year) const {
  if (!dst_offset) return {};
  std::vector<Transition> out = {
      {day_of(start, year) * civil::kSecondsPerDay + start.time - std_offset, *dst_offset},
      {day_of(end, year) * civil::kSecondsPerDay + end.time - *dst_offset, std_offset},
  };
  std::stable_sort(out.begin(), out.end(),
                   [](const Transition& a, const Transition& b) { return a.at < b.at; });
  return out;
}

namespace {

std::vector<PosixTz::Transition> around(const PosixTz& tz, std::int64_t t, int before, int after) {
  const std::int64_t year =
      civil::civil_from_days(civil::floor_div(t + tz.std_offset, civil::kSecondsPerDay)).year;
  std::vector<PosixTz::Transition> all;
  for (std::int64_t y = year - before; y <= year + after; ++y) {
    for (const PosixTz::Transition& tr : tz.transitions(y))
      all.push_back(tr);
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  return all;
}

}  // namespace

std::int32_t PosixTz::offset_at(std::int64_t t) const {
  if (!dst_offset) return std_offset;
  std::int32_t offset = std_offset;
  for (const Transition& tr : around(*this, t, 1, 1)) {
    if (tr.at > t) break;
    offset = tr.offset;
  }
  return offset;
}

std::optional<std::int64_t> PosixTz::next_transition(std::int64_t t) const {
  if (!dst_offset) return std::nullopt;
  for (const Transition& tr : around(*this, t, 1, 2)) {
    if (tr.at > t) return tr.at;
  }
  return std::nullopt;
}

}  // namespace safedb::policy
