#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "policy/posix_tz.h"
#include "safedb/policy/time_zone.h"
#include "safedb/util/utc_time.h"

using namespace safedb;
using policy::TimeZone;

namespace {

std::int64_t at(const char* utc) {
  auto t = util::parse_utc(utc);
  REQUIRE(t.ok());
  return *t;
}

// glibc's own reading of the same zone, for comparison: TZ is set for the
// duration of one call and restored.
class GlibcZone {
 public:
  explicit GlibcZone(const std::string& name) {
    if (const char* old = std::getenv("TZ")) saved_ = old;
    ::setenv("TZ", (":" + name).c_str(), 1);
    ::tzset();
  }
  ~GlibcZone() {
    if (saved_)
      ::setenv("TZ", saved_->c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }
  GlibcZone(const GlibcZone&) = delete;
  GlibcZone& operator=(const GlibcZone&) = delete;

  long offset_at(std::int64_t t) const {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    return tm.tm_gmtoff;
  }

 private:
  std::optional<std::string> saved_;
};

}  // namespace

TEST_CASE("New York changes offset at 2:00 local on the DST dates", "[policy]") {
  auto ny = TimeZone::load("America/New_York");
  REQUIRE(ny.ok());
  CHECK(ny->name() == "America/New_York");
  // 2026: DST from Sunday 8 March 07:00 UTC to Sunday 1 November 06:00 UTC.
  CHECK(ny->offset_at(at("2026-03-08T06:59:59Z")) == -5 * 3600);
  CHECK(ny->offset_at(at("2026-03-08T07:00:00Z")) == -4 * 3600);
  CHECK(ny->offset_at(at("2026-11-01T05:59:59Z")) == -4 * 3600);
  CHECK(ny->offset_at(at("2026-11-01T06:00:00Z")) == -5 * 3600);
  CHECK(*ny->next_transition(at("2026-01-01T00:00:00Z")) == at("2026-03-08T07:00:00Z"));
  CHECK(*ny->next_transition(at("2026-03-08T07:00:00Z")) == at("2026-11-01T06:00:00Z"));
}

TEST_CASE("Kolkata is UTC+5:30 and never changes", "[policy]") {
  auto kolkata = TimeZone::load("Asia/Kolkata");
  REQUIRE(kolkata.ok());
  CHECK(kolkata->offset_at(at("2026-06-01T00:00:00Z")) == 5 * 3600 + 1800);
  CHECK(kolkata->offset_at(at("2090-01-01T00:00:00Z")) == 5 * 3600 + 1800);
  CHECK_FALSE(kolkata->next_transition(at("2026-01-01T00:00:00Z")).has_value());
}

TEST_CASE("offsets agree with the C library's for many zones, far into the future", "[policy]") {
  for (const char* name :
       {"UTC", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Kolkata",
        "Australia/Lord_Howe", "Australia/Sydney", "America/Sao_Paulo", "Pacific/Chatham",
        "America/Nuuk", "Asia/Tehran", "America/St_Johns", "Pacific/Kiritimati"}) {
    INFO(name);
    auto zone = TimeZone::load(name);
    REQUIRE(zone.ok());
    GlibcZone glibc(name);
    int mismatches = 0;
    const std::int64_t end = at("2100-01-01T00:00:00Z");
    // Every 3 days and a bit, 1975-2100, and each side of every transition.
    for (std::int64_t t = at("1975-01-01T00:00:00Z"); t < end; t += 3 * 86400 + 3607) {
      if (zone->offset_at(t) != glibc.offset_at(t)) ++mismatches;
    }
    int transitions = 0;
    for (std::optional<std::int64_t> t = zone->next_transition(at("2000-01-01T00:00:00Z"));
         t && *t < end; t = zone->next_transition(*t)) {
      ++transitions;
      for (std::int64_t probe : {*t - 1, *t, *t + 1}) {
        if (zone->offset_at(probe) != glibc.offset_at(probe)) ++mismatches;
      }
    }
    CHECK(mismatches == 0);
    if (std::string(name) == "America/New_York") CHECK(transitions == 200);
  }
}

TEST_CASE("unknown, malformed and hostile zone names are refused", "[policy]") {
  for (const char* name :
       {"Mars/Olympus", "../../etc/passwd", "/etc/localtime", "", "Europe", "America/New York"}) {
    INFO(name);
    auto zone = TimeZone::load(name);
    REQUIRE_FALSE(zone.ok());
  }
  CHECK(TimeZone::load("Mars/Olympus").error().message().find("unknown time zone 'Mars/Olympus'") !=
        std::string::npos);
  CHECK_FALSE(TimeZone::from_tzif("x", "not a zoneinfo file at all, really not").ok());
  CHECK_FALSE(TimeZone::from_tzif("x", "").ok());
}

TEST_CASE("POSIX TZ rules: half hours, negative rule times, southern summers", "[policy]") {
  auto ist = policy::parse_posix_tz("IST-5:30");
  REQUIRE(ist.ok());
  CHECK(ist->std_offset == 19800);
  CHECK_FALSE(ist->dst_offset.has_value());

  auto nepal = policy::parse_posix_tz("<+0545>-5:45");
  REQUIRE(nepal.ok());
  CHECK(nepal->std_offset == 20700);

  // Nuuk: -02 with DST from the last Sunday of March at -1:00 local.
  auto nuuk = policy::parse_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  REQUIRE(nuuk.ok());
  CHECK(nuuk->offset_at(at("2030-03-30T23:59:59Z")) == -7200);
  CHECK(nuuk->offset_at(at("2030-03-31T01:00:00Z")) == -3600);

  // Sydney: summer time spans the new year.
  auto sydney = policy::parse_posix_tz("AEST-10AEDT,M10.1.0,M4.1.0/3");
  REQUIRE(sydney.ok());
  CHECK(sydney->offset_at(at("2050-01-15T00:00:00Z")) == 11 * 3600);
  CHECK(sydney->offset_at(at("2050-07-15T00:00:00Z")) == 10 * 3600);

  for (const char* bad : {"", "E", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "<EST5"}) {
    INFO(bad);
    CHECK_FALSE(policy::parse_posix_tz(bad).ok());
  }
}
