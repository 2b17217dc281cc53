#include "snapshot/cascade.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace safedb::snapshot {
namespace {

// The foreign keys pointing at a table. A partition's copy of a key its
// partitioned parent holds is left out: the parent's key covers its rows.
constexpr const char* kReferencingKeys = R"sql(
SELECT k.conname, k.conrelid::text, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       c.relkind = 'p', k.confdeltype::text, k.confupdtype::text,
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY x.n)
          FROM unnest(k.conkey) WITH ORDINALITY x(att, n)
          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.att),
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY x.n)
          FROM unnest(k.confkey) WITH ORDINALITY x(att, n)
          JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.att),
       (SELECT json_agg(a.attname::text ORDER BY x.n)
          FROM unnest(k.conkey) WITH ORDINALITY x(att, n)
          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.att),
       (SELECT json_agg(a.attname::text ORDER BY x.n)
          FROM unnest(k.confkey) WITH ORDINALITY x(att, n)
          JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.att)
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE k.contype = 'f' AND k.confrelid = {} AND (k.conparentid = 0 OR NOT c.relispartition)
 ORDER BY k.conname)sql";

const char* action_name(char action) {
  switch (action) {
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return nullptr;  // NO ACTION, RESTRICT: the statement fails instead
  }
}

std::vector<std::string> names(const std::optional<std::string>& json_text) {
  std::vector<std::string> out;
  if (!json_text) return out;
  const nlohmann::json parsed = nlohmann::json::parse(*json_text, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const nlohmann::json& n : parsed) {
    if (n.is_string()) out.push_back(n.get<std::string>());
  }
  return out;
}

bool sets_any(const RowChange& change, const std::vector<std::string>& columns) {
  if (!change.updates) return true;
  return std::any_of(columns.begin(), columns.end(), [&](const std::string& c) {
    return std::find(change.updates->begin(), change.updates->end(), c) != change.updates->end();
  });
}

}  // namespace

std::string RowSource::select(const std::string& columns) const {
  return fmt::format("SELECT {} FROM {}{}", columns, from, where.empty() ? "" : " WHERE " + where);
}

Result<Cascades> follow_foreign_keys(db::Connection& conn, const std::string& oid,
                                     const RowSource& rows, const RowChange& change,
                                     std::size_t limit) {
  Cascades out;
  struct Pending {
    std::string oid;
    RowSource rows;
    RowChange change;
  };
  std::deque<Pending> pending{{oid, rows, change}};
  std::set<std::string> reached{oid};
  while (!pending.empty()) {
    const Pending parent = std::move(pending.front());
    pending.pop_front();
    Result<db::QueryResult> keys = conn.exec(fmt::format(kReferencingKeys, parent.oid));
    if (!keys) return keys.error();
    // This parent's referencing tables, each with every key that reaches it.
    std::map<std::string, CascadedTable> children;
    std::map<std::string, RowChange> child_changes;
    std::vector<std::string> order;
    for (const auto& k : keys->rows) {
      const std::string name = k[0].value_or("");
      const std::string child = k[1].value_or("");
      const std::vector<std::string> child_columns = names(k[8]);
      const std::vector<std::string> parent_columns = names(k[9]);
      const char del = k[4].value_or("a").front();
      const char upd = k[5].value_or("a").front();
      const char* on_delete = parent.change.deletes ? action_name(del) : nullptr;
      const char* on_update = sets_any(parent.change, parent_columns) ? action_name(upd) : nullptr;
      if (on_delete == nullptr && on_update == nullptr) continue;
      if (reached.count(child) != 0) {
        out.loops = true;
        continue;
      }
      auto [it, added] = children.try_emplace(child);
      CascadedTable& t = it->second;
      RowChange& c = child_changes[child];
      if (added) {
        order.push_back(child);
        t.oid = child;
        t.sql_name = k[2].value_or("");
        t.partitioned = k[3] == std::optional<std::string>("t");
      }
      const std::string match =
          fmt::format("({}) IN ({})", k[6].value_or(""), parent.rows.select(k[7].value_or("")));
      t.where = t.where.empty() ? match : t.where + " OR " + match;
      if (on_delete != nullptr) {
        t.via.push_back(fmt::format("{} ON DELETE {}", name, on_delete));
        if (del == 'c') {
          t.deleted = true;
          c.deletes = true;
        } else {
          t.updated = true;
        }
      }
      if (on_update != nullptr) {
        t.via.push_back(fmt::format("{} ON UPDATE {}", name, on_update));
        t.updated = true;
      }
      // Updated rows change in their key columns; keys pointing at those may act in turn.
      if (t.updated && c.updates) {
        for (const std::string& col : child_columns) {
          if (std::find(c.updates->begin(), c.updates->end(), col) == c.updates->end())
            c.updates->push_back(col);
        }
      }
    }
    for (const std::string& child : order) {
      CascadedTable& t = children[child];
      reached.insert(child);
      if (reached.size() > limit) {
        return Error::input(
            fmt::format("foreign keys reach more than {} tables from the statement's", limit));
      }
      // ONLY: a key binds the table it is declared on, not inheritance
      // children; a partitioned table's key covers its partitions.
      pending.push_back(
          {child, RowSource{(t.partitioned ? "" : "ONLY ") + t.sql_name, "(" + t.where + ")"},
           child_changes[child]});
      out.tables.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace safedb::snapshot
