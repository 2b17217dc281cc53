#pragma once

#include <string>

#include "safedb/util/result.h"

namespace safedb::db {

// What a libpq connection string or URI says, without connecting.
struct ConninfoSummary {
  bool has_password = false;
  std::string host;  // as written ("" = libpq default / PGHOST)
  std::string port;
  std::string dbname;
  std::string user;
};

// Parses `conninfo` with libpq's own parser (key=value or postgresql:// URI;
// "" means libpq's defaults). Fails with libpq's explanation when it does not parse.
Result<ConninfoSummary> inspect_conninfo(const std::string& conninfo);

}  // namespace safedb::db
