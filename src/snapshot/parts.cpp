// Parts of kept relations that a statement drops (snapshot/parts.h): read
// from the catalog inside the run's transaction, before the statement, as
// the SQL that adds each one again.
#include "snapshot/parts.h"

#include <fmt/format.h>

#include "safedb/util/sql_quote.h"
#include "snapshot/definition.h"
#include "snapshot/dropped.h"
#include "snapshot/types.h"

namespace safedb::snapshot {
namespace {

using nlohmann::json;

// "ALTER TABLE <name>" (or VIEW, MATERIALIZED VIEW, FOREIGN TABLE) for the
// relation with oid `relid` (a column of the query).
std::string alter(const char* relid) {
  return fmt::format(
      "(SELECT 'ALTER ' || CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' "
      "WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END || ' ' || c.oid::regclass::text "
      "FROM pg_class c WHERE c.oid = {})",
      relid);
}

// Every part of every relation in the database, as rows of (classid,
// objid: pg_depend's names for it; relid: its relation; kind; name; colnum:
// a default's column; ord: the order to add parts back in; definition: what
// the catalog prints for it; sql: the statements that add it again, NULL
// for those that do not apply). Comments come back with their part.
// Parts that come back with another are left out: the index of a key, the
// triggers of a foreign key, what a partition or child inherits. A stored
// generated column is a part (kind "generated column", keyed by its
// expression's pg_attrdef row): adding it back computes its values again. `wanted`: a
// relation of (classid, objid) rows that limits the parts to those (each
// branch tests it before it prints anything, which for every index of a
// large database takes a second), or "" for every part.
std::string all_parts(const std::string& wanted) {
  auto in = [&](const char* catalog, const char* oid) {
    return wanted.empty()
               ? std::string("true")
               : fmt::format("('{}'::regclass::oid, {}) IN (SELECT classid, objid FROM {})",
                             catalog, oid, wanted);
  };
  const std::string comment = "' IS ' || quote_literal(obj_description({}, '{}'))";
  return fmt::format(
      R"sql(
  SELECT 'pg_constraint'::regclass::oid AS classid, k.oid AS objid, k.conrelid AS relid,
         'constraint' AS kind, quote_ident(k.conname) AS name, NULL::int2 AS colnum,
         CASE k.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'c' THEN 4 ELSE 6 END
           AS ord,
         pg_get_constraintdef(k.oid) AS definition,
         ARRAY[{ak} || ' ADD CONSTRAINT ' || quote_ident(k.conname) || ' ' ||
                 pg_get_constraintdef(k.oid),
               'COMMENT ON CONSTRAINT ' || quote_ident(k.conname) || ' ON ' ||
                 k.conrelid::regclass::text || {ck}] AS sql
    FROM pg_constraint k
   WHERE k.conrelid <> 0 AND k.contype IN ('p', 'u', 'x', 'c', 'f') AND k.conparentid = 0
     AND {in_k}
     AND k.conislocal
  UNION ALL
  SELECT 'pg_class'::regclass::oid, i.indexrelid, i.indrelid, 'index', quote_ident(c.relname),
         NULL, 3, pg_get_indexdef(i.indexrelid),
         -- Without ONLY, an index of a partitioned table is built on its
         -- partitions too (ONLY leaves it invalid until each has one).
         ARRAY[regexp_replace(pg_get_indexdef(i.indexrelid),
                              '^(CREATE (UNIQUE )?INDEX (("[^"]*")+|\S+) ON )ONLY ', '\1'),
               CASE WHEN i.indisclustered THEN {ai} || ' CLUSTER ON ' || quote_ident(c.relname) END,
               CASE WHEN i.indisreplident
                    THEN {ai} || ' REPLICA IDENTITY USING INDEX ' || quote_ident(c.relname) END,
               'COMMENT ON INDEX ' || i.indexrelid::regclass::text || {ci}]
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
   WHERE NOT c.relispartition AND {in_i}
     AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                        AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
  UNION ALL
  SELECT 'pg_attrdef'::regclass::oid, d.oid, d.adrelid, 'generated column',
         quote_ident(a.attname), d.adnum, -1, x.definition,
         ARRAY[{ad} || ' ADD COLUMN ' || quote_ident(a.attname) || ' ' || x.definition ||
                 CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
               'COMMENT ON COLUMN ' || d.adrelid::regclass::text || '.' ||
                 quote_ident(a.attname) || ' IS ' ||
                 quote_literal(col_description(d.adrelid, d.adnum))]
    FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum,
         LATERAL (SELECT format_type(a.atttypid, a.atttypmod) || ' GENERATED ALWAYS AS (' ||
                         pg_get_expr(d.adbin, d.adrelid) || ') STORED' AS definition) x
   WHERE a.attgenerated = 's' AND NOT a.attisdropped AND {in_d}
  UNION ALL
  SELECT 'pg_attrdef'::regclass::oid, d.oid, d.adrelid, 'default', quote_ident(a.attname),
         d.adnum, 5, pg_get_expr(d.adbin, d.adrelid),
         ARRAY[{ad} || ' ALTER COLUMN ' || quote_ident(a.attname) || ' SET DEFAULT ' ||
                 pg_get_expr(d.adbin, d.adrelid)]
    FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
   WHERE a.attgenerated = '' AND NOT a.attisdropped AND {in_d}
  UNION ALL
  SELECT 'pg_statistic_ext'::regclass::oid, s.oid, s.stxrelid, 'statistics',
         quote_ident(n.nspname) || '.' || quote_ident(s.stxname), NULL, 5,
         -- Its columns by name: a restored column comes back at the end of
         -- its table, which changes the order pg_get_statisticsobjdef() prints.
         array_to_string(s.stxkind, ', ') || ' ON ' ||
           concat_ws(', ', (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attname)
                              FROM pg_attribute a
                             WHERE a.attrelid = s.stxrelid AND a.attnum = ANY (s.stxkeys)),
                     array_to_string(pg_get_statisticsobjdef_expressions(s.oid), ', ')) ||
           ' FROM ' || s.stxrelid::regclass::text,
         ARRAY[pg_get_statisticsobjdef(s.oid),
               CASE WHEN s.stxstattarget::int >= 0
                    THEN 'ALTER STATISTICS ' || quote_ident(n.nspname) || '.' ||
                         quote_ident(s.stxname) || ' SET STATISTICS ' || s.stxstattarget END,
               'ALTER STATISTICS ' || quote_ident(n.nspname) || '.' || quote_ident(s.stxname) ||
                 ' OWNER TO ' || quote_ident(pg_get_userbyid(s.stxowner)),
               'COMMENT ON STATISTICS ' || quote_ident(n.nspname) || '.' ||
                 quote_ident(s.stxname) || {cs}]
    FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
   WHERE {in_s}
  UNION ALL
  SELECT 'pg_trigger'::regclass::oid, t.oid, t.tgrelid, 'trigger', quote_ident(t.tgname), NULL, 7,
         pg_get_triggerdef(t.oid),
         ARRAY[pg_get_triggerdef(t.oid),
               {at} || CASE t.tgenabled WHEN 'D' THEN ' DISABLE' WHEN 'R' THEN ' ENABLE REPLICA'
                                        WHEN 'A' THEN ' ENABLE ALWAYS' END ||
                 ' TRIGGER ' || quote_ident(t.tgname),
               'COMMENT ON TRIGGER ' || quote_ident(t.tgname) || ' ON ' ||
                 t.tgrelid::regclass::text || {ct}]
    FROM pg_trigger t WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND {in_t}
  UNION ALL
  SELECT 'pg_policy'::regclass::oid, p.oid, p.polrelid, 'policy', quote_ident(p.polname), NULL, 8,
         x.definition, ARRAY[x.definition,
                             'COMMENT ON POLICY ' || quote_ident(p.polname) || ' ON ' ||
                               p.polrelid::regclass::text || {cp}]
    FROM pg_policy p,
         LATERAL (SELECT 'CREATE POLICY ' || quote_ident(p.polname) || ' ON ' ||
                         p.polrelid::regclass::text ||
                         CASE WHEN p.polpermissive THEN '' ELSE ' AS RESTRICTIVE' END || ' FOR ' ||
                         CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                                       WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END ||
                         ' TO ' ||
                         CASE WHEN p.polroles = '{{0}}' THEN 'PUBLIC'
                              ELSE (SELECT string_agg(quote_ident(rolname), ', ' ORDER BY rolname)
                                      FROM pg_roles WHERE oid = ANY (p.polroles)) END ||
                         coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '') ||
                         coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) ||
                                  ')', '') AS definition) x
   WHERE {in_p}
  UNION ALL
  SELECT 'pg_rewrite'::regclass::oid, r.oid, r.ev_class, 'rule', quote_ident(r.rulename), NULL, 9,
         x.definition,
         ARRAY[x.definition,
               {ar} || CASE r.ev_enabled WHEN 'D' THEN ' DISABLE' WHEN 'R' THEN ' ENABLE REPLICA'
                                         WHEN 'A' THEN ' ENABLE ALWAYS' END ||
                 ' RULE ' || quote_ident(r.rulename),
               'COMMENT ON RULE ' || quote_ident(r.rulename) || ' ON ' ||
                 r.ev_class::regclass::text || {cr}]
    FROM pg_rewrite r,
         LATERAL (SELECT regexp_replace(pg_get_ruledef(r.oid), ';\s*$', '') AS definition) x
   WHERE r.rulename <> '_RETURN' AND {in_r})sql",
      fmt::arg("in_k", in("pg_constraint", "k.oid")),
      fmt::arg("in_i", in("pg_class", "i.indexrelid")), fmt::arg("in_d", in("pg_attrdef", "d.oid")),
      fmt::arg("in_s", in("pg_statistic_ext", "s.oid")),
      fmt::arg("in_t", in("pg_trigger", "t.oid")), fmt::arg("in_p", in("pg_policy", "p.oid")),
      fmt::arg("in_r", in("pg_rewrite", "r.oid")), fmt::arg("ak", alter("k.conrelid")),
      fmt::arg("ai", alter("i.indrelid")), fmt::arg("ad", alter("d.adrelid")),
      fmt::arg("at", alter("t.tgrelid")), fmt::arg("ar", alter("r.ev_class")),
      fmt::arg("ck", fmt::format(fmt::runtime(comment), "k.oid", "pg_constraint")),
      fmt::arg("ci", fmt::format(fmt::runtime(comment), "i.indexrelid", "pg_class")),
      fmt::arg("cs", fmt::format(fmt::runtime(comment), "s.oid", "pg_statistic_ext")),
      fmt::arg("ct", fmt::format(fmt::runtime(comment), "t.oid", "pg_trigger")),
      fmt::arg("cp", fmt::format(fmt::runtime(comment), "p.oid", "pg_policy")),
      fmt::arg("cr", fmt::format(fmt::runtime(comment), "r.oid", "pg_rewrite")));
}

// The parts in the walk (dropped_walk()) of relations it does not drop
// whole, as (classid, objid) rows.
constexpr const char* kDroppedParts = R"sql(,
    whole AS (SELECT objid FROM dropped WHERE classid = 'pg_class'::regclass AND objsubid = 0)
  SELECT p.classid::text, p.objid::text
    FROM ({parts}) p
   WHERE (p.classid, p.objid) IN (SELECT classid, objid FROM dropped)
     AND p.relid NOT IN (SELECT objid FROM whole)
     -- A dropped column is saved with its default; a generated column the
     -- statement names, with its table.
     AND NOT (p.kind = 'default' AND (p.relid, p.colnum) IN
              (SELECT objid, objsubid FROM dropped WHERE classid = 'pg_class'::regclass))
     AND NOT (p.kind = 'generated column' AND (p.relid, p.colnum) IN
              (SELECT relid, attnum FROM start_columns))
     -- A foreign key to a table dropped whole is saved with that table.
     AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                      WHERE p.classid = 'pg_constraint'::regclass AND k.oid = p.objid
                        AND k.contype = 'f' AND k.confrelid IN (SELECT objid FROM whole)))sql";

// The extensions whose members catalog object (classid, objid) uses.
constexpr const char* kExtensions = R"sql(
  SELECT DISTINCT x.extname, x.extversion, n.nspname
    FROM pg_depend d
    JOIN pg_depend xd ON xd.classid = d.refclassid AND xd.objid = d.refobjid
                     AND xd.refclassid = 'pg_extension'::regclass AND xd.deptype = 'e'
    JOIN pg_extension x ON x.oid = xd.refobjid
    JOIN pg_namespace n ON n.oid = x.extnamespace
   WHERE d.classid = {} AND d.objid = {}
   ORDER BY 1)sql";

Result<db::QueryResult> query(db::Connection& conn, const std::string& sql) {
  Result<db::QueryResult> r = conn.exec(sql);
  if (!r) return r.error().within("cannot read what the statement drops of the tables it keeps");
  return r;
}

// Reads the parts `which` ("(classid, objid), ..." VALUES rows) with their
// functions and extensions, for statement `st`.
Result<std::vector<SavedPart>> read_qualified(db::Connection& conn, const sql::Statement& st,
                                              const std::string& which) {
  std::vector<SavedPart> out;
  Result<db::QueryResult> r = query(
      conn, fmt::format("SELECT p.kind, p.relid::regclass::text, p.name, p.definition, "
                        "array_to_json(array_remove(p.sql, NULL))::text, p.classid::text, "
                        "p.objid::text FROM ({}) p ORDER BY p.ord, 2, 3",
                        all_parts(fmt::format("(VALUES {}) AS wanted(classid, objid)", which))));
  if (!r) return r.error();
  for (const auto& row : r->rows) {
    SavedPart p;
    p.statement = st.index;
    p.kind = row[0].value_or("");
    p.relation = row[1].value_or("");
    p.name = row[2].value_or("");
    p.definition = row[3].value_or("");
    p.sql = json::parse(row[4].value_or("[]")).get<std::vector<std::string>>();
    const std::string classid = row[5].value_or("0");
    const std::string objid = row[6].value_or("0");
    Result<json> functions = read_functions_of(conn, classid, objid);
    if (!functions) return functions.error();
    p.functions = std::move(*functions);
    Result<db::QueryResult> extensions =
        query(conn, fmt::format(fmt::runtime(kExtensions), classid, objid));
    if (!extensions) return extensions.error();
    for (const auto& x : extensions->rows) {
      p.extensions.push_back({{"name", x[0].value_or("")},
                              {"version", x[1].value_or("")},
                              {"schema", x[2].value_or("")}});
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<std::vector<SavedPart>> read_parts(db::Connection& conn, const sql::Statement& st) {
  const std::optional<std::string> walk = dropped_walk(st, false);
  if (!walk) return std::vector<SavedPart>{};
  // Found with the session's search_path, which resolves the statement's
  // names as it does; read with an empty one, which qualifies every name.
  Result<db::QueryResult> found = query_walk(
      conn,
      *walk + fmt::format(fmt::runtime(kDroppedParts), fmt::arg("parts", all_parts("dropped"))));
  if (!found)
    return found.error().within("cannot read what the statement drops of the tables it keeps");
  std::string which;
  for (const auto& row : found->rows)
    which += fmt::format("{}({}::oid, {}::oid)", which.empty() ? "" : ", ", row[0].value_or("0"),
                         row[1].value_or("0"));
  if (which.empty()) return std::vector<SavedPart>{};
  std::vector<SavedPart> out;
  Result<json> read = with_qualified_names(conn, [&]() -> Result<json> {
    Result<std::vector<SavedPart>> parts = read_qualified(conn, st, which);
    if (!parts) return parts.error();
    out = std::move(*parts);
    return json(nullptr);
  });
  if (!read) return read.error();
  return out;
}

Result<json> read_rules_and_statistics(db::Connection& conn, const std::string& oid) {
  // Most tables have neither: a look first spares planning the parts query.
  Result<db::QueryResult> any = conn.exec(fmt::format(
      "SELECT EXISTS (SELECT 1 FROM pg_rewrite WHERE ev_class = {0} AND rulename <> '_RETURN') "
      "OR EXISTS (SELECT 1 FROM pg_statistic_ext WHERE stxrelid = {0})",
      oid));
  if (!any) return any.error().within("cannot read the table's rules and statistics");
  if (any->at(0, 0) != std::optional<std::string>("t")) return json::array();
  Result<db::QueryResult> r = conn.exec(fmt::format(
      "SELECT p.kind, p.name, array_to_json(array_remove(p.sql, NULL))::text FROM ({}) p "
      "ORDER BY p.ord, p.name",
      all_parts(fmt::format("(SELECT 'pg_rewrite'::regclass::oid, oid FROM pg_rewrite "
                            "WHERE ev_class = {0} UNION ALL "
                            "SELECT 'pg_statistic_ext'::regclass::oid, oid FROM pg_statistic_ext "
                            "WHERE stxrelid = {0}) AS wanted(classid, objid)",
                            oid))));
  if (!r) return r.error().within("cannot read the table's rules and statistics");
  json out = json::array();
  for (const auto& row : r->rows) {
    out.push_back({{"kind", row[0].value_or("")},
                   {"name", row[1].value_or("")},
                   {"sql", json::parse(row[2].value_or("[]"))}});
  }
  return out;
}

Result<std::optional<std::string>> part_definition(db::Connection& conn, const SavedPart& p) {
  Result<db::QueryResult> r = query_qualified(
      conn, fmt::format("SELECT p.definition FROM ({}) p WHERE p.kind = {} AND p.relid = "
                        "to_regclass({}) AND p.name = {}",
                        all_parts(""), util::quote_literal(p.kind), util::quote_literal(p.relation),
                        util::quote_literal(p.name)));
  if (!r) return r.error().within("cannot read a restored part's definition");
  if (r->rows.empty() || !r->at(0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(*r->at(0, 0));
}

}  // namespace safedb::snapshot
