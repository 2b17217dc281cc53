#include "exec/catalog.h"

#include <algorithm>

namespace safedb::exec {
namespace {

constexpr const char* kUserSchemas =
    "nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)'";

const std::string kCatalogQuery = std::string(R"(
SELECT 'rel:' || c.oid,
       CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'i' THEN 'index'
                      WHEN 'I' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'
                      WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
                      ELSE 'type' END,
       n.nspname || '.' || c.relname,
       md5(concat_ws('|', n.nspname, c.relname, c.relkind, c.relowner, c.relacl::text, c.relpersistence,
                     c.reltablespace, c.relrowsecurity, c.relforcerowsecurity, c.reloptions::text,
           (SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' ||
                              a.attnotnull || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''),
                              ',' ORDER BY a.attnum)
              FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
           (SELECT string_agg(t.tgname || t.tgenabled::text, ',' ORDER BY t.tgname)
              FROM pg_trigger t WHERE t.tgrelid = c.oid),
           (SELECT pg_get_indexdef(c.oid) WHERE c.relkind IN ('i', 'I'))))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.)") + kUserSchemas + R"( AND c.relkind <> 't'
UNION ALL
SELECT 'con:' || co.oid, 'constraint',
       CASE WHEN co.conrelid <> 0 THEN co.conrelid::regclass::text ELSE co.contypid::regtype::text END
         || '.' || co.conname,
       md5(pg_get_constraintdef(co.oid) || co.convalidated::text)
  FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
 WHERE n.)" + kUserSchemas + R"(
UNION ALL
SELECT 'fn:' || p.oid, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
       n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       md5(concat_ws('|', p.proname, p.prosrc, p.proowner, p.proacl::text, p.prosecdef, p.provolatile))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.)" + kUserSchemas + R"(
UNION ALL
SELECT 'nsp:' || oid, 'schema', nspname, md5(concat_ws('|', nspname, nspowner, nspacl::text))
  FROM pg_namespace WHERE )" + kUserSchemas;

// Runs a measurement inside the rehearsal's transaction under a savepoint,
// so that a failing measurement can never abort the rehearsal itself.
Result<db::QueryResult> measure(db::Connection& conn, const std::string& sql) {
  if (!conn.exec("SAVEPOINT safedb_measure")) return Error::usage("cannot set a savepoint");
  Result<db::QueryResult> r = conn.exec(sql);
  (void)conn.exec(r ? "RELEASE SAVEPOINT safedb_measure" : "ROLLBACK TO SAVEPOINT safedb_measure");
  return r;
}

}  // namespace

std::optional<CatalogSnapshot> snapshot_catalog(db::Connection& conn) {
  Result<db::QueryResult> r = measure(conn, kCatalogQuery);
  if (!r) return std::nullopt;
  CatalogSnapshot snapshot;
  for (const auto& row : r->rows) {
    snapshot[row[0].value_or("")] =
        CatalogEntry{row[1].value_or(""), row[2].value_or(""), row[3].value_or("")};
  }
  return snapshot;
}

std::vector<CatalogChange> compare(const CatalogSnapshot& before, const CatalogSnapshot& after) {
  std::vector<CatalogChange> changes;
  for (const auto& [id, entry] : after) {
    auto it = before.find(id);
    if (it == before.end()) {
      changes.push_back({"created", entry.kind, entry.name});
    } else if (it->second.digest != entry.digest || it->second.name != entry.name) {
      changes.push_back(
          {"altered", entry.kind,
           it->second.name == entry.name ? entry.name : it->second.name + " -> " + entry.name});
    }
  }
  for (const auto& [id, entry] : before) {
    if (after.find(id) == after.end()) changes.push_back({"dropped", entry.kind, entry.name});
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [](const CatalogChange& a, const CatalogChange& b) {
                     return a.change != b.change ? a.change < b.change : a.name < b.name;
                   });
  return changes;
}

std::vector<LockTaken> new_locks(db::Connection& conn, std::vector<LockTaken>& held) {
  std::vector<LockTaken> fresh;
  Result<db::QueryResult> r = measure(conn, std::string(R"(
SELECT n.nspname || '.' || c.relname, l.mode
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND n.)") +
                                                kUserSchemas + " ORDER BY 1, 2");
  if (!r) return fresh;
  for (const auto& row : r->rows) {
    LockTaken lock{row[0].value_or(""), row[1].value_or("")};
    const bool known = std::any_of(held.begin(), held.end(), [&](const LockTaken& h) {
      return h.relation == lock.relation && h.mode == lock.mode;
    });
    if (known) continue;
    held.push_back(lock);
    fresh.push_back(lock);
  }
  return fresh;
}

}  // namespace safedb::exec
