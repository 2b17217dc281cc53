#include "safedb/db/conninfo.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>

namespace safedb::db {

Result<ConninfoSummary> inspect_conninfo(const std::string& conninfo) {
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &message);
  if (options == nullptr) {
    std::string why = message ? message : "out of memory";
    if (message) PQfreemem(message);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    return Error::usage(fmt::format("connection string does not parse: {}", why));
  }
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> guard(options, PQconninfoFree);
  ConninfoSummary summary;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    if (key == "password")
      summary.has_password = true;
    else if (key == "host" || (key == "hostaddr" && summary.host.empty()))
      summary.host = o->val;
    else if (key == "port")
      summary.port = o->val;
    else if (key == "dbname")
      summary.dbname = o->val;
    else if (key == "user")
      summary.user = o->val;
  }
  return summary;
}

}  // namespace safedb::db
