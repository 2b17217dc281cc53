#include "safedb/approval/plan.h"

#include <fmt/format.h>

#include <ctime>
#include <random>

namespace safedb::approval {
namespace {

using nlohmann::json;
constexpr std::string_view kSchema = "safedb-plan/1";

// "2026-11-21T13:05:40Z" -> unix seconds; -1 when malformed.
std::int64_t parse_utc(const std::string& text) {
  std::tm tm{};
  if (text.size() != 20 || text[19] != 'Z') return -1;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

std::string new_request_id() {
  std::random_device device;
  return fmt::format("q-{:08x}{:08x}{:08x}{:08x}", device(), device(), device(), device());
}

std::string render_plan(const Plan& p) {
  json doc = {{"schema", kSchema},
              {"request_id", p.request_id},
              {"created", p.created},
              {"expires", p.expires},
              {"requester", {{"principal", p.requester_principal}, {"key", p.requester_key}}},
              {"target",
               {{"name", p.target_name},
                {"environment", p.environment},
                {"system_identifier", p.system_identifier},
                {"database", p.database},
                {"host", p.host},
                {"port", p.port}}},
              {"file", {{"path", p.file_path}, {"sha256", p.file_sha256}, {"size", p.file_size}}},
              {"policy_digest", p.policy_digest},
              {"requirements", p.requirements},
              {"statements", p.statements}};
  return doc.dump(2) + "\n";
}

Result<Plan> parse_plan(std::string_view bytes) {
  json doc = json::parse(bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Error::usage("the plan is not a JSON object");
  try {
    if (doc.at("schema") != kSchema) {
      return Error::usage(fmt::format("the plan's schema is not {}", kSchema));
    }
    Plan p;
    p.request_id = doc.at("request_id").get<std::string>();
    p.created = doc.at("created").get<std::string>();
    p.expires = doc.at("expires").get<std::string>();
    p.created_unix = parse_utc(p.created);
    p.expires_unix = parse_utc(p.expires);
    if (p.created_unix < 0 || p.expires_unix < 0)
      return Error::usage("the plan's created/expires times are malformed");
    p.requester_principal = doc.at("requester").at("principal").get<std::string>();
    p.requester_key = doc.at("requester").at("key").get<std::string>();
    const json& t = doc.at("target");
    p.target_name = t.at("name").get<std::string>();
    p.environment = t.at("environment").get<std::string>();
    p.system_identifier = t.at("system_identifier").get<std::string>();
    p.database = t.at("database").get<std::string>();
    p.host = t.at("host").get<std::string>();
    p.port = t.at("port").get<int>();
    p.file_path = doc.at("file").at("path").get<std::string>();
    p.file_sha256 = doc.at("file").at("sha256").get<std::string>();
    p.file_size = doc.at("file").at("size").get<std::uint64_t>();
    p.policy_digest = doc.at("policy_digest").get<std::string>();
    p.requirements = doc.at("requirements").get<std::vector<std::string>>();
    p.statements = doc.at("statements");
    return p;
  } catch (const json::exception& e) {
    return Error::usage(fmt::format("the plan is malformed: {}", e.what()));
  }
}

}  // namespace safedb::approval
