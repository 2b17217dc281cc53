#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "safedb/util/result.h"

namespace safedb::policy {

// A time zone of the IANA database, read from the system's compiled zoneinfo
// files (TZif, RFC 8536) including the POSIX TZ rule that extends a file past
// its last transition. No global state (TZ, tzset) is touched, so any number
// of zones can be used side by side. Immutable and cheap to copy; safe to
// share between threads.
class TimeZone {
 public:
  // Reads `name` ("Europe/Paris") from $TZDIR, else /usr/share/zoneinfo.
  // "UTC" works even where no zoneinfo is installed. Names must look like
  // zone names (letters, digits, "/_+-"; no "..", not absolute).
  static Result<TimeZone> load(const std::string& name);
  // Parses the bytes of a TZif file; `name` is only kept for display.
  static Result<TimeZone> from_tzif(const std::string& name, std::string_view bytes);
  static TimeZone utc();

  const std::string& name() const;
  // Seconds to add to UTC to get local time at instant `t` (Unix seconds).
  std::int32_t offset_at(std::int64_t t) const;
  // The first instant after `t` at which the offset may change; nullopt when
  // it never changes again.
  std::optional<std::int64_t> next_transition(std::int64_t t) const;

  struct Data;

 private:
  explicit TimeZone(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

}  // namespace safedb::policy
