#include "crypto/ssh_time.h"

#include <fmt/format.h>

#include <ctime>

namespace safedb::crypto {
namespace {

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits)
    value = value * 10 + (c - '0');
  return value;
}

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  std::string_view tail = text.substr(text.size() - suffix.size());
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    char c = tail[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != suffix[i]) return false;
  }
  return true;
}

}  // namespace

Result<std::int64_t> parse_ssh_time(std::string_view text) {
  std::string_view digits = text;
  bool utc = false;
  if (digits.size() > 1 && ends_with_ignoring_case(digits, "Z")) {
    utc = true;
    digits.remove_suffix(1);
  } else if (digits.size() > 3 && ends_with_ignoring_case(digits, "UTC")) {
    utc = true;
    digits.remove_suffix(3);
  }
  auto bad = [&] {
    return Error::input(
        fmt::format("\"{}\" is not a time of the form YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, "
                    "with Z for UTC",
                    text));
  };
  if ((digits.size() != 8 && digits.size() != 12 && digits.size() != 14) || !all_digits(digits)) {
    return bad();
  }
  std::tm tm{};
  tm.tm_year = number(digits.substr(0, 4)) - 1900;
  tm.tm_mon = number(digits.substr(4, 2)) - 1;
  tm.tm_mday = number(digits.substr(6, 2));
  if (digits.size() >= 12) {
    tm.tm_hour = number(digits.substr(8, 2));
    tm.tm_min = number(digits.substr(10, 2));
  }
  if (digits.size() == 14) tm.tm_sec = number(digits.substr(12, 2));
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return bad();
  }
  // tm_isdst = 0, as OpenSSH leaves it after memset().
  std::time_t seconds = utc ? ::timegm(&tm) : std::mktime(&tm);
  if (seconds < 0) return bad();
  return static_cast<std::int64_t>(seconds);
}

std::string format_utc(std::int64_t unix_seconds) {
  std::time_t seconds = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (::gmtime_r(&seconds, &tm) == nullptr) return fmt::format("@{}", unix_seconds);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace safedb::crypto
