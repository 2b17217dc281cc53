#include "safedb/db/conninfo.h"

#include <fmt/format.h>

#include <memory>

#include "db/libpq.h"

namespace safedb::db {

namespace {

using Options = std::unique_ptr<PQconninfoOption, decltype(pq::PQconninfoFree)>;

Result<Options> parse(const std::string& conninfo) {
  if (Status loaded = pq::load(); !loaded) return loaded.error();
  char* message = nullptr;
  PQconninfoOption* options = pq::PQconninfoParse(conninfo.c_str(), &message);
  if (options == nullptr) {
    std::string why = message ? message : "out of memory";
    if (message) pq::PQfreemem(message);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    return Error::usage(fmt::format("connection string does not parse: {}", why));
  }
  return Options(options, pq::PQconninfoFree);
}

std::string quote_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

Result<ConninfoSummary> inspect_conninfo(const std::string& conninfo) {
  Result<Options> parsed = parse(conninfo);
  if (!parsed) return parsed.error();
  PQconninfoOption* options = parsed->get();
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

Result<std::string> with_database(const std::string& conninfo, const std::string& dbname) {
  Result<Options> parsed = parse(conninfo);
  if (!parsed) return parsed.error();
  std::string out;
  for (PQconninfoOption* o = parsed->get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "dbname") continue;
    out += fmt::format("{}={} ", o->keyword, quote_value(o->val));
  }
  return out + "dbname=" + quote_value(dbname);
}

}  // namespace safedb::db
