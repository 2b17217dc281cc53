#include "safedb/policy/window.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "civil.h"

namespace safedb::policy {
namespace {

constexpr std::array<const char*, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
// Monday first, as people list working days.
constexpr std::array<int, 7> kDisplayOrder = {1, 2, 3, 4, 5, 6, 0};

std::optional<int> day_index(std::string_view name) {
  for (int i = 0; i < 7; ++i) {
    if (name == kDayNames[static_cast<std::size_t>(i)]) return i;
  }
  return std::nullopt;
}

std::string clock_text(int minutes) {
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

std::string days_text(DaySet days) {
  if (days == kEveryDay) return "daily";
  std::string out;
  std::size_t i = 0;
  while (i < kDisplayOrder.size()) {
    if (!(days & (1u << kDisplayOrder[i]))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j + 1 < kDisplayOrder.size() && (days & (1u << kDisplayOrder[j + 1])))
      ++j;
    const char* first = kDayNames[static_cast<std::size_t>(kDisplayOrder[i])];
    const char* last = kDayNames[static_cast<std::size_t>(kDisplayOrder[j])];
    if (!out.empty()) out += ',';
    if (j - i >= 2) {
      out += fmt::format("{}-{}", first, last);
    } else {
      out += first;
      if (j > i) out += fmt::format(",{}", last);
    }
    i = j + 1;
  }
  return out;
}

void add_span_intervals(const WindowSpan& span, std::int64_t from, std::int64_t to,
                        std::vector<Interval>& out) {
  constexpr std::int64_t kDay = civil::kSecondsPerDay;
  const std::int64_t open = span.from * 60LL;
  const std::int64_t close = (span.to > span.from ? span.to : span.to + 1440) * 60LL;
  // Walk the stretches of constant offset; within each, local time is UTC
  // plus that offset and the open hours are plain arithmetic.
  for (std::int64_t cur = from; cur < to;) {
    const std::int32_t offset = span.zone.offset_at(cur);
    const std::int64_t stretch_end = std::min(span.zone.next_transition(cur).value_or(to), to);
    const std::int64_t local_begin = cur + offset;
    const std::int64_t local_end = stretch_end + offset;
    // Start a day early: a span that crosses midnight opened the day before.
    const std::int64_t first_day = civil::floor_div(local_begin, kDay) - 1;
    const std::int64_t last_day = civil::floor_div(local_end - 1, kDay);
    for (std::int64_t d = first_day; d <= last_day; ++d) {
      if (!(span.days & (1u << civil::weekday(d)))) continue;
      const std::int64_t b = std::max(d * kDay + open, local_begin);
      const std::int64_t e = std::min(d * kDay + close, local_end);
      if (b < e) out.push_back({b - offset, e - offset});
    }
    cur = stretch_end;
  }
}

std::vector<Interval> merged(std::vector<Interval> intervals) {
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
  std::vector<Interval> out;
  for (const Interval& i : intervals) {
    if (!out.empty() && i.begin <= out.back().end)
      out.back().end = std::max(out.back().end, i.end);
    else
      out.push_back(i);
  }
  return out;
}

}  // namespace

std::string WindowSpan::text() const {
  return fmt::format("{} {}\u2013{} {}", days_text(days), clock_text(from), clock_text(to),
                     zone.name());
}

std::string MaintenanceWindow::text() const {
  std::string out;
  for (const WindowSpan& s : spans)
    out += (out.empty() ? "" : " or ") + s.text();
  return out;
}

bool MaintenanceWindow::is_open(std::int64_t t) const {
  return !open_intervals(*this, t, t + 1).empty();
}

std::vector<Interval> open_intervals(const MaintenanceWindow& window, std::int64_t from,
                                     std::int64_t to) {
  std::vector<Interval> all;
  for (const WindowSpan& span : window.spans)
    add_span_intervals(span, from, to, all);
  return merged(std::move(all));
}

std::vector<Interval> intersect(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::vector<Interval> out;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const std::int64_t begin = std::max(a[i].begin, b[j].begin);
    const std::int64_t end = std::min(a[i].end, b[j].end);
    if (begin < end) out.push_back({begin, end});
    if (a[i].end < b[j].end)
      ++i;
    else
      ++j;
  }
  return out;
}

std::optional<DaySet> parse_days(const std::string& item) {
  std::size_t dash = item.find('-');
  if (dash == std::string::npos) {
    std::optional<int> d = day_index(item);
    if (!d) return std::nullopt;
    return static_cast<DaySet>(1u << *d);
  }
  std::optional<int> first = day_index(std::string_view(item).substr(0, dash));
  std::optional<int> last = day_index(std::string_view(item).substr(dash + 1));
  if (!first || !last) return std::nullopt;
  DaySet days = 0;
  for (int d = *first;; d = (d + 1) % 7) {
    days |= static_cast<DaySet>(1u << d);
    if (d == *last) break;
  }
  return days;
}

std::optional<int> parse_clock(const std::string& text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59) return std::nullopt;
  if (h == 24 && m == 0 && allow_24) return 1440;
  if (h > 23) return std::nullopt;
  return h * 60 + m;
}

std::string format_local(std::int64_t t, const TimeZone& zone) {
  const std::int64_t local = t + zone.offset_at(t);
  const std::int64_t day = civil::floor_div(local, civil::kSecondsPerDay);
  const std::int64_t second = local - day * civil::kSecondsPerDay;
  const civil::Date date = civil::civil_from_days(day);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} {}", date.year, date.month, date.day,
                     second / 3600, second % 3600 / 60, zone.name());
}

}  // namespace safedb::policy
