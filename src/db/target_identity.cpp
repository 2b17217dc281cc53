#include "safedb/db/target_identity.h"

#include <fmt/format.h>

#include <charconv>
#include <string_view>

#include "safedb/db/connection.h"

namespace safedb::db {
namespace {

int to_int(std::string_view text) {
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// One row, every column cast to text so that nothing depends on types.
constexpr std::string_view kIdentifyQuery =
    "SELECT (SELECT system_identifier FROM pg_catalog.pg_control_system())::text,"
    " pg_catalog.current_database()::text,"
    " pg_catalog.current_setting('server_version_num'),"
    " pg_catalog.current_setting('server_version'),"
    " pg_catalog.pg_is_in_recovery()::text";

}  // namespace

std::string TargetIdentity::describe() const {
  const bool socket = !host.empty() && host.front() == '/';
  return fmt::format("cluster {}, database \"{}\" at {} {} port {} (PostgreSQL {}{})",
                     system_identifier, database, socket ? "socket folder" : "host", host, port,
                     server_version, in_recovery ? ", in recovery" : "");
}

Result<TargetIdentity> Connection::identify() {
  Result<QueryResult> result = exec(kIdentifyQuery);
  if (!result) return result.error().within("cannot identify " + describe_target());
  const QueryResult& rows = *result;
  if (rows.rows.size() != 1 || rows.rows[0].size() != 5) {
    return Error(ExitCode::execution_failed,
                 "cannot identify " + describe_target() + ": unexpected answer from the server");
  }
  const std::vector<Cell>& row = rows.rows[0];
  TargetIdentity id;
  id.system_identifier = row[0].value_or("");
  id.database = row[1].value_or("");
  id.host = host();
  id.port = port();
  id.server_version_num = to_int(row[2].value_or("0"));
  id.server_version = row[3].value_or("");
  id.in_recovery = row[4].value_or("false") == "true";
  return id;
}

}  // namespace safedb::db
