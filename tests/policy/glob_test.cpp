#include <catch2/catch.hpp>

#include <string>

#include "safedb/policy/glob.h"
#include "safedb/util/size.h"

using namespace safedb;
using policy::Glob;

namespace {

Glob glob(const std::string& pattern) {
  auto g = Glob::parse(pattern);
  REQUIRE(g.ok());
  return *g;
}

}  // namespace

TEST_CASE("patterns match object names and principals like the shell", "[policy]") {
  CHECK(glob("public.*").matches("public.users"));
  CHECK_FALSE(glob("public.*").matches("billing.users"));
  CHECK(glob("*.audit_*").matches("billing.audit_2024"));
  CHECK(glob("*@dba.example.org").matches("ana@dba.example.org"));
  CHECK_FALSE(glob("*@dba.example.org").matches("ana@dba.example.org.evil.com"));
  CHECK(glob("public.part_20[0-9][0-9]").matches("public.part_2024"));
  CHECK_FALSE(glob("public.part_20[0-9][0-9]").matches("public.part_20x4"));
  CHECK(glob("public.[!_]*").matches("public.users"));
  CHECK_FALSE(glob("public.[!_]*").matches("public._tmp"));
  CHECK(glob("public.t?").matches("public.t1"));
  CHECK_FALSE(glob("public.t?").matches("public.t"));
  CHECK(glob("*").matches(""));
  CHECK_FALSE(glob("Public.users").matches("public.users"));  // case-sensitive
  CHECK(glob("a**b").matches("ab"));
}

TEST_CASE("bad patterns are refused with the reason", "[policy]") {
  CHECK(Glob::parse("").error().message() == "empty pattern");
  CHECK(Glob::parse("public.[abc").error().message().find("never closed") != std::string::npos);
  CHECK(Glob::parse("public.[z-a]").error().message().find("runs backwards") != std::string::npos);
}

TEST_CASE("whether one name can match several patterns at once", "[policy]") {
  Glob dba = glob("*@dba.example.org");
  Glob sec = glob("*@sec.example.org");
  Glob ana = glob("ana@*");
  Glob any = glob("*");
  CHECK(Glob::can_match_all({&dba, &ana}));
  CHECK(Glob::can_match_all({&dba, &any}));
  CHECK_FALSE(Glob::can_match_all({&dba, &sec}));
  CHECK(Glob::can_match_all({&dba, &ana, &any}));
  Glob digits = glob("[0-9]*");
  Glob letters = glob("[a-z]*");
  CHECK_FALSE(Glob::can_match_all({&digits, &letters}));
  CHECK(Glob::can_match_all({}));
}

TEST_CASE("sizes are whole numbers with 1024-based units", "[policy]") {
  CHECK(*util::parse_size("2GB") == 2ull << 30);
  CHECK(*util::parse_size("500MB") == 500ull << 20);
  CHECK(*util::parse_size("64kB") == 64ull << 10);
  CHECK(*util::parse_size("64KB") == 64ull << 10);
  CHECK(*util::parse_size("10B") == 10);
  for (const char* bad : {"2G", "GB", "1.5GB", "-1MB", "2 GB", "99999999999999TB", ""})
    CHECK_FALSE(util::parse_size(bad).ok());
  CHECK(util::format_size(2ull << 30) == "2GB");
  CHECK(util::format_size(1536) == "1536B");
}
