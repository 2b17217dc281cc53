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

namespace safedb::db {

// `conninfo` with its database replaced by `dbname`, as a key=value
// connection string (a URI is converted; every other setting is kept).
// Fails like inspect_conninfo() when `conninfo` does not parse.
Result<std::string> with_database(const std::string& conninfo, const std::string& dbname);

}  // namespace safedb::db
