#include "safedb/sql/statement_kind.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

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

std::size_t distance_ignoring_case(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

bool is_statement_kind(std::string_view name) {
  const auto& kinds = statement_kinds();
  return std::find(kinds.begin(), kinds.end(), name) != kinds.end();
}

std::string closest_statement_kind(std::string_view name) {
  std::string_view best;
  std::size_t best_distance = 3;  // more than two edits is not a typo
  for (std::string_view kind : statement_kinds()) {
    std::size_t d = distance_ignoring_case(name, kind);
    if (d < best_distance) {
      best = kind;
      best_distance = d;
    }
  }
  return std::string(best);
}

}  // namespace safedb::sql
