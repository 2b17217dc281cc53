#include <catch2/catch.hpp>

#include <string>

#include "safedb/policy/requirements.h"
#include "safedb/policy/window.h"
#include "safedb/util/utc_time.h"

using namespace safedb;
using policy::MaintenanceWindow;
using policy::WindowSpan;

namespace {

std::int64_t at(const char* utc) {
  auto t = util::parse_utc(utc);
  REQUIRE(t.ok());
  return *t;
}

WindowSpan span(const std::string& days, const std::string& from, const std::string& to,
                const std::string& tz = "UTC") {
  WindowSpan s;
  s.days = 0;
  std::size_t start = 0;
  while (start <= days.size()) {
    std::size_t comma = days.find(',', start);
    if (comma == std::string::npos) comma = days.size();
    auto d = policy::parse_days(days.substr(start, comma - start));
    REQUIRE(d.has_value());
    s.days |= *d;
    start = comma + 1;
  }
  s.from = *policy::parse_clock(from, false);
  s.to = *policy::parse_clock(to, true);
  auto zone = policy::TimeZone::load(tz);
  REQUIRE(zone.ok());
  s.zone = *zone;
  return s;
}

MaintenanceWindow window(WindowSpan s) {
  return MaintenanceWindow{{std::move(s)}};
}

}  // namespace

TEST_CASE("a window crossing midnight belongs to the day it starts", "[policy]") {
  // Friday 22:00 to Saturday 04:00 UTC. 2026-11-27 is a Friday.
  MaintenanceWindow w = window(span("fri", "22:00", "04:00"));
  CHECK(w.text() == "fri 22:00\u201304:00 UTC");
  CHECK_FALSE(w.is_open(at("2026-11-27T21:59:59Z")));
  CHECK(w.is_open(at("2026-11-27T22:00:00Z")));
  CHECK(w.is_open(at("2026-11-28T00:00:00Z")));
  CHECK(w.is_open(at("2026-11-28T03:59:59Z")));
  CHECK_FALSE(w.is_open(at("2026-11-28T04:00:00Z")));
  // Saturday night is not listed, and Friday early morning belongs to Thursday.
  CHECK_FALSE(w.is_open(at("2026-11-28T23:00:00Z")));
  CHECK_FALSE(w.is_open(at("2026-11-27T01:00:00Z")));
}

TEST_CASE("a window in New York follows the local clock across DST changes", "[policy]") {
  // Saturdays 02:00-05:00 New York: 07:00-10:00 UTC in winter, 06:00-09:00 in summer.
  MaintenanceWindow sat = window(span("sat", "02:00", "05:00", "America/New_York"));
  CHECK(sat.is_open(at("2026-01-10T07:00:00Z")));
  CHECK_FALSE(sat.is_open(at("2026-01-10T06:59:59Z")));
  CHECK(sat.is_open(at("2026-07-11T06:00:00Z")));
  CHECK_FALSE(sat.is_open(at("2026-07-11T09:00:00Z")));

  // Spring forward on Sunday 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
  // 01:00-03:00 lasts one hour that night; 02:00-04:00 opens when the clock jumps.
  MaintenanceWindow early = window(span("sun", "01:00", "03:00", "America/New_York"));
  CHECK(policy::open_intervals(early, at("2026-03-08T00:00:00Z"), at("2026-03-09T00:00:00Z")) ==
        std::vector<policy::Interval>{{at("2026-03-08T06:00:00Z"), at("2026-03-08T07:00:00Z")}});
  MaintenanceWindow skipped = window(span("sun", "02:00", "04:00", "America/New_York"));
  CHECK_FALSE(skipped.is_open(at("2026-03-08T06:59:59Z")));
  CHECK(skipped.is_open(at("2026-03-08T07:00:00Z")));
  CHECK_FALSE(skipped.is_open(at("2026-03-08T08:00:00Z")));

  // Fall back on Sunday 2026-11-01: 01:00-02:00 happens twice, and the window is open both times.
  MaintenanceWindow twice = window(span("sun", "01:00", "02:00", "America/New_York"));
  CHECK(policy::open_intervals(twice, at("2026-11-01T00:00:00Z"), at("2026-11-02T00:00:00Z")) ==
        std::vector<policy::Interval>{{at("2026-11-01T05:00:00Z"), at("2026-11-01T07:00:00Z")}});

  // A night window that crosses midnight as the clocks change keeps its local end.
  MaintenanceWindow night = window(span("sat", "22:00", "04:00", "America/New_York"));
  CHECK(policy::open_intervals(night, at("2026-03-07T00:00:00Z"), at("2026-03-09T00:00:00Z")) ==
        std::vector<policy::Interval>{{at("2026-03-08T03:00:00Z"), at("2026-03-08T08:00:00Z")}});
}

TEST_CASE("a window in Kolkata is offset by five and a half hours", "[policy]") {
  // Saturday 02:00 in Kolkata is Friday 20:30 UTC.
  MaintenanceWindow w = window(span("sat", "02:00", "05:00", "Asia/Kolkata"));
  CHECK_FALSE(w.is_open(at("2026-11-27T20:29:59Z")));
  CHECK(w.is_open(at("2026-11-27T20:30:00Z")));
  CHECK(w.is_open(at("2026-11-27T23:29:59Z")));
  CHECK_FALSE(w.is_open(at("2026-11-27T23:30:00Z")));
  // Sunday 23:00 to Monday 01:00 Kolkata: Sunday 17:30 to 19:30 UTC.
  MaintenanceWindow late = window(span("sun", "23:00", "01:00", "Asia/Kolkata"));
  CHECK(policy::open_intervals(late, at("2026-11-29T00:00:00Z"), at("2026-11-30T00:00:00Z")) ==
        std::vector<policy::Interval>{{at("2026-11-29T17:30:00Z"), at("2026-11-29T19:30:00Z")}});
}

TEST_CASE("a window with several spans is open when any of them is", "[policy]") {
  MaintenanceWindow w{{span("mon-fri", "22:00", "04:00"), span("sat,sun", "00:00", "24:00")}};
  CHECK(w.text() == "mon-fri 22:00\u201304:00 UTC or sat,sun 00:00\u201324:00 UTC");
  CHECK(w.is_open(at("2026-11-28T12:00:00Z")));        // Saturday noon
  CHECK(w.is_open(at("2026-11-24T23:00:00Z")));        // Tuesday night
  CHECK_FALSE(w.is_open(at("2026-11-24T12:00:00Z")));  // Tuesday noon
  // Monday 02:00 would belong to a span starting on Sunday night; none does.
  CHECK_FALSE(w.is_open(at("2026-11-30T02:00:00Z")));
}

TEST_CASE("day lists, ranges and clock times", "[policy]") {
  CHECK(*policy::parse_days("mon-fri") == 0b0111110);
  CHECK(*policy::parse_days("fri-mon") == 0b1100011);
  CHECK(*policy::parse_days("sun") == 0b0000001);
  CHECK_FALSE(policy::parse_days("Mon").has_value());
  CHECK_FALSE(policy::parse_days("monday").has_value());
  CHECK(*policy::parse_clock("00:00", false) == 0);
  CHECK(*policy::parse_clock("23:59", false) == 1439);
  CHECK(*policy::parse_clock("24:00", true) == 1440);
  CHECK_FALSE(policy::parse_clock("24:00", false).has_value());
  for (const char* bad : {"2:00", "02:60", "25:00", "0200", "02:00:00", "ab:cd"})
    CHECK_FALSE(policy::parse_clock(bad, true).has_value());
  CHECK(span("fri-mon", "22:00", "04:00").text() == "mon,fri-sun 22:00\u201304:00 UTC");
  CHECK(span("mon,wed", "01:00", "02:00").text() == "mon,wed 01:00\u201302:00 UTC");
}

TEST_CASE("check_window says when the window next opens, in its own zone", "[policy]") {
  policy::Requirements r;
  r.windows.push_back(window(span("sat,sun", "02:00", "05:00")));
  // Wednesday 2026-11-25 noon UTC.
  auto problems = policy::check_window(r, at("2026-11-25T12:00:00Z"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] ==
        "outside the maintenance window sat,sun 02:00\u201305:00 UTC; next opens 2026-11-28 "
        "02:00 UTC");
  CHECK(policy::check_window(r, at("2026-11-28T02:00:00Z")).empty());

  policy::Requirements ny;
  ny.windows.push_back(window(span("sat", "02:00", "05:00", "America/New_York")));
  auto ny_problems = policy::check_window(ny, at("2026-11-25T12:00:00Z"));
  REQUIRE(ny_problems.size() == 1);
  CHECK(ny_problems[0].ends_with("next opens 2026-11-28 02:00 America/New_York"));

  CHECK(policy::check_window(policy::Requirements{}, at("2026-11-25T12:00:00Z")).empty());
}

TEST_CASE("with several windows, the next opening is when all are open", "[policy]") {
  policy::Requirements r;
  r.windows.push_back(window(span("sat,sun", "02:00", "05:00")));
  r.windows.push_back(window(span("mon-sun", "04:00", "06:00")));
  // Wednesday 05:00: the first is closed; both are next open on Saturday at 04:00.
  auto problems = policy::check_window(r, at("2026-11-25T05:00:00Z"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("sat,sun 02:00\u201305:00 UTC; next opens 2026-11-28 04:00 UTC") !=
        std::string::npos);
  // Saturday 02:30: the second is closed.
  problems = policy::check_window(r, at("2026-11-28T02:30:00Z"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].starts_with("outside the maintenance window daily 04:00\u201306:00 UTC"));
  CHECK(policy::check_window(r, at("2026-11-28T04:30:00Z")).empty());

  r.windows.push_back(window(span("mon", "10:00", "11:00")));
  problems = policy::check_window(r, at("2026-11-28T04:30:00Z"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].ends_with("the windows required here are never open together"));
}
