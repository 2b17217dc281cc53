#include "safedb/approval/plan.h"

#include "safedb/util/utc_time.h"

#include <fmt/format.h>

#include <random>

namespace safedb::approval {
namespace {

using nlohmann::json;
constexpr std::string_view kSchema = "safedb-plan/1";

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
    Result<std::int64_t> created = util::parse_utc(p.created);
    Result<std::int64_t> expires = util::parse_utc(p.expires);
    if (!created || !expires) return Error::usage("the plan's created/expires times are malformed");
    p.created_unix = *created;
    p.expires_unix = *expires;
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
