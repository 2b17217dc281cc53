#include "safedb/sql/statement_kind.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "safedb/util/spelling.h"

namespace safedb::sql {
namespace {

// Every parse-node name of the grammar, generated from its nodetags.h.
constexpr std::string_view kNodeNames[] = {
#define SAFEDB_NODE(name) #name,
#include "node_names.inc"
#undef SAFEDB_NODE
};

const std::vector<std::string_view>& statement_kinds() {
  static const std::vector<std::string_view> kinds = [] {
    std::vector<std::string_view> out = {"PsqlMetaCommand"};
    for (std::string_view name : kNodeNames) {
      if (name.ends_with("Stmt") && name != "RawStmt") out.push_back(name);
    }
    return out;
  }();
  return kinds;
}

}  // namespace

bool is_statement_kind(std::string_view name) {
  const auto& kinds = statement_kinds();
  return std::find(kinds.begin(), kinds.end(), name) != kinds.end();
}

std::string closest_statement_kind(std::string_view name) {
  return util::closest(name, statement_kinds(), util::Case::ignored);
}

}  // namespace safedb::sql
