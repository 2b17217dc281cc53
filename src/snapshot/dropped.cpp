#include "snapshot/dropped.h"

#include <fmt/format.h>

#include "safedb/util/sql_quote.h"
#include "snapshot/setting.h"

namespace safedb::snapshot {
namespace {

// The dependency closure of the dropped objects (starting from the arrays
// {tables} of regclass, {schemas} of regnamespace, {types} of regtype,
// {extensions} of pg_extension oids, {views} of regclass (listed
// themselves, unlike the tables), {sequences} of regclass, {functions} of
// pg_proc oids and {columns} of (table, attnum)
// pairs), as the recursive CTE dropped(classid, objid, objsubid). An object
// reached as a whole takes all its dependants; a column only those that
// depend on that column. An object that is internal to another (a view's
// _RETURN rule) takes its owner with it, as in PostgreSQL's own walk.
constexpr const char* kWalk = R"sql(
  WITH RECURSIVE
    start_tables AS (SELECT t::oid AS oid FROM unnest({tables}::regclass[]) t WHERE t IS NOT NULL),
    start_schemas AS (SELECT s::oid AS oid FROM unnest({schemas}::regnamespace[]) s
                       WHERE s IS NOT NULL),
    start_columns AS {columns},
    dropped(classid, objid, objsubid) AS (
      SELECT 'pg_class'::regclass::oid, oid, 0 FROM start_tables
      UNION SELECT 'pg_namespace'::regclass::oid, oid, 0 FROM start_schemas
      UNION SELECT 'pg_type'::regclass::oid, t::oid, 0 FROM unnest({types}::regtype[]) t
             WHERE t IS NOT NULL
      UNION SELECT 'pg_extension'::regclass::oid, e, 0 FROM unnest({extensions}::oid[]) e
             WHERE e IS NOT NULL
      UNION SELECT 'pg_class'::regclass::oid, c.relid, c.attnum FROM start_columns c
      UNION SELECT 'pg_class'::regclass::oid, v::oid, 0 FROM unnest({views}::regclass[]) v
             WHERE v IS NOT NULL
      UNION SELECT 'pg_class'::regclass::oid, q::oid, 0 FROM unnest({sequences}::regclass[]) q
             WHERE q IS NOT NULL
      UNION SELECT 'pg_proc'::regclass::oid, f, 0 FROM unnest({functions}::oid[]) f
             WHERE f IS NOT NULL
      UNION
      SELECT next.classid, next.objid, next.objsubid
        FROM dropped x,
        LATERAL (SELECT d.classid, d.objid, d.objsubid FROM pg_depend d
                  WHERE d.refclassid = x.classid AND d.refobjid = x.objid
                    AND (x.objsubid = 0 OR d.refobjsubid = x.objsubid) AND d.deptype <> 'p'
                 UNION ALL
                 SELECT d.refclassid, d.refobjid, d.refobjsubid FROM pg_depend d
                  WHERE d.classid = x.classid AND d.objid = x.objid
                    AND (x.objsubid = 0 OR d.objsubid = x.objsubid) AND d.deptype = 'i') next))sql";

// The walk's relations and columns that hold data, and its views and
// materialized views.
constexpr const char* kDropped = R"sql(
  SELECT DISTINCT c.oid::text, c.relkind::text, n.nspname, c.relname, a.attname,
         CASE WHEN a.attcollation IN (SELECT objid FROM dropped
                                       WHERE classid = 'pg_collation'::regclass)
              THEN 'collation ' || (SELECT quote_ident(k.nspname) || '.' || quote_ident(l.collname)
                                      FROM pg_collation l
                                      JOIN pg_namespace k ON k.oid = l.collnamespace
                                     WHERE l.oid = a.attcollation)
              ELSE 'type ' || format_type(a.atttypid, a.atttypmod) END,
         (SELECT CASE WHEN c.relispartition THEN 'a partition of '
                      ELSE 'an inheritance child of ' END ||
                 string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
            FROM pg_inherits i WHERE i.inhrelid = c.oid AND x.objsubid = 0)
    FROM dropped x
    JOIN pg_class c ON c.oid = x.objid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.objsubid AND x.objsubid > 0
   WHERE x.classid = 'pg_class'::regclass
     -- Another session's temporary views cannot be created again from here.
     AND (c.relkind IN ('r', 'p', 'f', 'c')
          OR (c.relkind IN ('v', 'm') AND x.objsubid = 0 AND c.relpersistence <> 't'))
     AND (x.objsubid = 0 OR (a.attnum > 0 AND NOT a.attisdropped))
     -- A stored generated column holds nothing its table's other columns
     -- do not give again: it is saved as a part (snapshot/parts.h).
     AND (x.objsubid = 0 OR a.attgenerated = '')
     -- A relation dropped whole loses its columns with it.
     AND NOT (x.objsubid > 0 AND EXISTS (SELECT 1 FROM dropped y WHERE y.classid = x.classid
                                           AND y.objid = x.objid AND y.objsubid = 0))
     -- What the statement names is saved as such; composite types hold no rows.
     AND NOT (x.objsubid = 0 AND (c.relkind = 'c' OR c.oid IN (SELECT oid FROM start_tables)
                                  OR (c.relkind NOT IN ('v', 'm')
                                      AND c.relnamespace IN (SELECT oid FROM start_schemas))))
     AND NOT (x.objsubid > 0 AND (c.oid, x.objsubid) IN (SELECT relid, attnum FROM start_columns))
     -- A column inherited from a parent whose column goes too: the parent's
     -- rows hold the child's, and adding the column back to the parent adds
     -- it to its partitions and children. (Not one a child declared itself
     -- too; a partition's columns are never its own, attached or not.)
     AND NOT (x.objsubid > 0 AND a.attinhcount > 0 AND NOT a.attislocal AND EXISTS (
              SELECT 1 FROM pg_inherits i
                JOIN pg_attribute p ON p.attrelid = i.inhparent AND p.attname = a.attname
                JOIN dropped y ON y.classid = x.classid AND y.objid = p.attrelid
                                  AND y.objsubid = p.attnum
               WHERE i.inhrelid = c.oid))
   ORDER BY 3, 4, 5)sql";

std::string array_of(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + util::quote_literal(n);
  return "ARRAY[" + out + "]::text[]";
}

}  // namespace

std::optional<std::string> dropped_walk(const sql::Statement& st, bool retyped) {
  if (st.kind != "DropStmt" && st.kind != "AlterTableStmt") return std::nullopt;
  std::vector<std::string> tables;
  std::vector<std::string> schemas;
  std::vector<std::string> types;
  std::vector<std::string> extensions;
  std::vector<std::string> views;
  std::vector<std::string> sequences;
  std::vector<std::string> functions;
  std::string columns;  // VALUES rows: (table, column name)
  const bool drop = st.kind == "DropStmt";
  for (const sql::Destruction& d : st.destroys) {
    if (drop && d.kind == sql::Destruction::Kind::table) tables.push_back(d.relation);
    if (drop && d.kind == sql::Destruction::Kind::schema) schemas.push_back(d.relation);
    if (drop && d.kind == sql::Destruction::Kind::type) types.push_back(d.relation);
    if (drop && d.kind == sql::Destruction::Kind::extension) extensions.push_back(d.relation);
    if (drop && d.kind == sql::Destruction::Kind::view) views.push_back(d.relation);
    if (drop && d.kind == sql::Destruction::Kind::sequence) sequences.push_back(d.relation);
    if (drop && d.kind == sql::Destruction::Kind::function) functions.push_back(d.relation);
    if (!drop && d.kind == sql::Destruction::Kind::column && !d.column.empty() &&
        (retyped || !d.retype)) {
      columns += fmt::format("{}({}, {})", columns.empty() ? "" : ", ",
                             util::quote_literal(d.relation), util::quote_literal(d.column));
    }
  }
  if (tables.empty() && schemas.empty() && types.empty() && extensions.empty() && views.empty() &&
      sequences.empty() && functions.empty() && columns.empty())
    return std::nullopt;
  // to_regclass() and the like resolve the names as the statement does, and
  // give NULL for a name that does not exist (DROP ... IF EXISTS).
  auto resolved = [](const char* function, const std::vector<std::string>& names) {
    return fmt::format("(SELECT array_agg({}(x)) FROM unnest({}) x)", function, array_of(names));
  };
  return fmt::format(
      fmt::runtime(kWalk), fmt::arg("tables", resolved("to_regclass", tables)),
      fmt::arg("schemas", resolved("to_regnamespace", schemas)),
      fmt::arg("types", resolved("to_regtype", types)),
      fmt::arg("views", resolved("to_regclass", views)),
      fmt::arg("sequences", resolved("to_regclass", sequences)),
      // A signature ends with its argument list; a name alone (no list)
      // must be unique, as the DROP requires.
      fmt::arg("functions", fmt::format("(SELECT array_agg(CASE WHEN right(x, 1) = ')' THEN "
                                        "to_regprocedure(x)::oid ELSE to_regproc(x)::oid END) "
                                        "FROM unnest({}) x)",
                                        array_of(functions))),
      // Extension names come always double-quoted from the analyser.
      fmt::arg("extensions", fmt::format("(SELECT array_agg(oid) FROM pg_extension WHERE '\"' || "
                                         "replace(extname, '\"', '\"\"') || '\"' = ANY ({}))",
                                         array_of(extensions))),
      // The columns a DROP COLUMN / ALTER COLUMN names, as the statement resolves them.
      fmt::arg("columns",
               columns.empty()
                   ? std::string("(SELECT NULL::oid AS relid, NULL::int2 AS attnum WHERE false)")
                   : fmt::format("(SELECT a.attrelid AS relid, a.attnum FROM (VALUES {}) v(t, c) "
                                 "JOIN pg_attribute a ON a.attrelid = to_regclass(v.t) AND "
                                 "a.attname = v.c AND NOT a.attisdropped)",
                                 columns)));
}

Result<db::QueryResult> query_walk(db::Connection& conn, const std::string& sql) {
  // The planner cannot estimate the recursive walk and guesses millions of
  // rows, which makes it compile the query with JIT: about a second, with
  // the statement's lock held. The walk itself takes milliseconds.
  return with_setting<db::QueryResult>(conn, "jit", "off", SettingScope::transaction,
                                       [&] { return conn.exec(sql); });
}

Result<std::vector<DroppedObject>> dropped_with(db::Connection& conn, const sql::Statement& st) {
  std::vector<DroppedObject> out;
  const std::optional<std::string> walk = dropped_walk(st, true);
  if (!walk) return out;
  Result<db::QueryResult> r = query_walk(conn, *walk + kDropped);
  if (!r) return r.error();
  for (const auto& row : r->rows) {
    out.push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or(""),
                   row[3].value_or(""), row[4].value_or(""), row[5].value_or(""),
                   row[6].value_or("")});
  }
  return out;
}

}  // namespace safedb::snapshot
