// User-defined types of saved columns (snapshot/types.h), read inside the
// run's transaction with an empty search_path (see read_definition()), so
// that every name printed is schema-qualified.
#include "snapshot/types.h"

#include <fmt/format.h>

namespace safedb::snapshot {
namespace {

using nlohmann::json;

// Every type the columns of {oid} use, and the types inside those, with the
// depth at which each was reached. `embedded` marks a type whose oid its
// container's binary form carries (an array's element, a composite's
// attribute), and the types reached through it.
constexpr const char* kReached = R"sql(
  WITH RECURSIVE reached(oid, depth, embedded) AS (
    SELECT a.atttypid, 0, false FROM pg_attribute a
     WHERE a.attrelid = {oid} AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    UNION
    SELECT inside.oid, reached.depth + 1, reached.embedded OR inside.embedded
      FROM reached JOIN pg_type t ON t.oid = reached.oid,
      LATERAL (SELECT t.typelem, true WHERE t.typelem <> 0
               UNION ALL SELECT t.typbasetype, false WHERE t.typbasetype <> 0
               UNION ALL SELECT a.atttypid, true FROM pg_attribute a
                          WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
               UNION ALL SELECT r.rngsubtype, false FROM pg_range r WHERE r.rngtypid = t.oid)
        AS inside(oid, embedded)
     WHERE reached.depth < 32))sql";

constexpr const char* kCollation = R"sql(
  (SELECT ' COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
     FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
    WHERE co.oid = {}))sql";

}  // namespace

std::string create_type_sql() {
  const std::string attribute_collation =
      fmt::format("CASE WHEN a.attcollation <> at.typcollation THEN {} END",
                  fmt::format(fmt::runtime(kCollation), "a.attcollation"));
  const std::string domain_collation =
      fmt::format("CASE WHEN t.typcollation <> bt.typcollation THEN {} END",
                  fmt::format(fmt::runtime(kCollation), "t.typcollation"));
  return fmt::format(R"sql(
         CASE t.typtype
           WHEN 'e' THEN 'CREATE TYPE ' || format_type(t.oid, NULL) || ' AS ENUM (' ||
             coalesce((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                         FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
           WHEN 'c' THEN CASE WHEN rel.relkind = 'c' THEN
             'CREATE TYPE ' || format_type(t.oid, NULL) || ' AS (' ||
             coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' ||
                                         format_type(a.atttypid, a.atttypmod) ||
                                         coalesce({attribute_collation}, ''), ', '
                                         ORDER BY a.attnum)
                         FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                        WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
                      '') || ')' END
           WHEN 'd' THEN
             'CREATE DOMAIN ' || format_type(t.oid, NULL) || ' AS ' ||
             format_type(t.typbasetype, t.typtypmod) || coalesce({domain_collation}, '') ||
             coalesce(' DEFAULT ' || t.typdefault, '') ||
             CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END ||
             coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(k.conname) || ' ' ||
                                         pg_get_constraintdef(k.oid), '' ORDER BY k.conname)
                         FROM pg_constraint k WHERE k.contypid = t.oid), '')
           WHEN 'r' THEN
             'CREATE TYPE ' || format_type(t.oid, NULL) || ' AS RANGE (SUBTYPE = ' ||
             format_type(r.rngsubtype, NULL) || ', SUBTYPE_OPCLASS = ' ||
             (SELECT quote_ident(on_.nspname) || '.' || quote_ident(oc.opcname)
                FROM pg_opclass oc JOIN pg_namespace on_ ON on_.oid = oc.opcnamespace
               WHERE oc.oid = r.rngsubopc) ||
             coalesce((SELECT ', COLLATION = ' || quote_ident(cn.nspname) || '.' ||
                              quote_ident(co.collname)
                         FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                        WHERE co.oid = r.rngcollation), '') ||
             CASE WHEN r.rngcanonical <> 0 THEN ', CANONICAL = ' || r.rngcanonical::regproc::text
                  ELSE '' END ||
             CASE WHEN r.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text
                  ELSE '' END ||
             ', MULTIRANGE_TYPE_NAME = ' || format_type(r.rngmultitypid, NULL) || ')'
         END)sql",
                     fmt::arg("attribute_collation", attribute_collation),
                     fmt::arg("domain_collation", domain_collation));
}

std::string object_grants_sql(const char* on, const char* name, const char* acl,
                              const char* owner) {
  return fmt::format(
      R"sql(CASE WHEN {acl} IS NULL THEN ARRAY[]::text[]
         ELSE ARRAY['REVOKE ALL ON ' || {on} || ' ' || {name} || ' FROM PUBLIC'] ||
              ARRAY(SELECT 'GRANT ' || g.privilege_type || ' ON ' || {on} || ' ' || {name} ||
                           ' TO ' || CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                                          ELSE quote_ident(pg_get_userbyid(g.grantee)) END ||
                           CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END
                      FROM aclexplode({acl}) g WHERE g.grantee <> {owner} ORDER BY 1) END)sql",
      fmt::arg("on", on), fmt::arg("name", name), fmt::arg("acl", acl), fmt::arg("owner", owner));
}

std::string object_comment_sql(const char* on, const char* name, const char* oid,
                               const char* catalog) {
  return fmt::format(
      "'COMMENT ON ' || {} || ' ' || {} || ' IS ' || quote_literal(obj_description({}, '{}'))", on,
      name, oid, catalog);
}

namespace {

// The comment and privileges of a type or function, as a JSON array of
// statements (text): `kw`, `name`, `oid`, `catalog`, `acl` and `owner` as
// object_comment_sql() and object_grants_sql() take them.
std::string more_sql(const char* kw, const char* name, const char* oid, const char* catalog,
                     const char* acl, const char* owner) {
  return fmt::format("array_to_json(array_remove(ARRAY[{}] || {}, NULL))::text",
                     object_comment_sql(kw, name, oid, catalog),
                     object_grants_sql(kw, name, acl, owner));
}

std::string types_sql(const std::string& oid) {
  return fmt::format(R"sql({reached}
  SELECT format_type(t.oid, NULL) AS name, n.nspname AS schema, {create} AS "create",
         CASE WHEN t.typtype = 'd' THEN 'ALTER DOMAIN ' ELSE 'ALTER TYPE ' END ||
           format_type(t.oid, NULL) || ' OWNER TO ' || quote_ident(pg_get_userbyid(t.typowner))
           AS owner,
         CASE WHEN x.extname IS NOT NULL THEN 'a member of extension ' || quote_ident(x.extname)
              WHEN t.typtype = 'c' AND rel.relkind IN ('v', 'm')
                THEN 'the row type of view ' || t.typrelid::regclass::text
              WHEN t.typtype = 'c' THEN 'the row type of table ' || t.typrelid::regclass::text
              ELSE 'a base type' END AS why,
         CASE WHEN t.typtype = 'c' AND rel.relkind <> 'c' THEN t.typrelid::regclass::text END
           AS "table", x.extname, x.extversion,
         (SELECT nspname FROM pg_namespace WHERE oid = x.extnamespace), {more} AS more
    FROM (SELECT oid, max(depth) AS depth FROM reached GROUP BY oid) deepest
    JOIN pg_type t ON t.oid = deepest.oid
    JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
    LEFT JOIN pg_class rel ON rel.oid = t.typrelid
    LEFT JOIN pg_range r ON r.rngtypid = t.oid
    LEFT JOIN (pg_depend xd JOIN pg_extension x ON x.oid = xd.refobjid)
      ON xd.classid = 'pg_type'::regclass AND xd.objid = t.oid AND xd.deptype = 'e'
         AND xd.refclassid = 'pg_extension'::regclass
   WHERE t.oid >= 16384 AND t.typtype <> 'm'
     AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
   ORDER BY deepest.depth DESC, 1)sql",
                     fmt::arg("reached", fmt::format(fmt::runtime(kReached), fmt::arg("oid", oid))),
                     fmt::arg("create", create_type_sql()),
                     fmt::arg("more", more_sql("CASE WHEN t.typtype = 'd' THEN 'DOMAIN' "
                                               "ELSE 'TYPE' END",
                                               "format_type(t.oid, NULL)", "t.oid", "pg_type",
                                               "t.typacl", "t.typowner")));
}

// Rows of (name, schema, create, owner, why, table, extension, its version,
// its schema, more: a JSON array of its comment and grants) as the JSON
// objects types.h describes: "sql" holds create, owner and more, or is
// empty with "why".
json objects_json(const db::QueryResult& r) {
  json out = json::array();
  for (const auto& row : r.rows) {
    json object = {{"name", row[0].value_or("")}, {"schema", row[1].value_or("")}};
    if (row[2]) {
      object["sql"] = json::array({*row[2], row[3].value_or("")});
      for (const json& more : json::parse(row[9].value_or("[]")))
        object["sql"].push_back(more);
    } else {
      object["sql"] = json::array();
      object["why"] = row[4].value_or("");
      if (row[5]) object["table"] = *row[5];
    }
    if (row[6]) {
      object["extension"] = {
          {"name", *row[6]}, {"version", row[7].value_or("")}, {"schema", row[8].value_or("")}};
    }
    out.push_back(std::move(object));
  }
  return out;
}

}  // namespace

const char* const kStageTypeSql = R"sql(
  CASE WHEN a.atttypid >= 16384 THEN
    (WITH RECURSIVE chain(oid, typmod, depth) AS (
       SELECT a.atttypid, a.atttypmod, 0
       UNION ALL
       SELECT b.typbasetype, b.typtypmod, chain.depth + 1
         FROM chain JOIN pg_type b ON b.oid = chain.oid WHERE b.typtype = 'd')
     SELECT CASE WHEN bt.oid >= 16384 THEN 'text' ELSE format_type(c.oid, c.typmod) END
       FROM chain c JOIN pg_type bt ON bt.oid = c.oid ORDER BY c.depth DESC LIMIT 1)
  END)sql";

Result<json> read_types(db::Connection& conn, const std::string& oid) {
  Result<db::QueryResult> r = conn.exec(types_sql(oid));
  if (!r) return r.error().within("cannot read the types of the table's columns");
  return objects_json(*r);
}

namespace {

// The user-defined functions that the catalog objects pg_depend `d`
// matching `which` depend on, as read_functions() describes them.
Result<json> functions_used(db::Connection& conn, const std::string& which) {
  Result<db::QueryResult> r = conn.exec(fmt::format(
      R"sql(
    SELECT DISTINCT p.oid::regprocedure::text, n.nspname,
           CASE WHEN p.prokind IN ('f', 'p') AND x.extname IS NULL
                THEN pg_get_functiondef(p.oid) END,
           CASE p.prokind WHEN 'p' THEN 'ALTER PROCEDURE ' ELSE 'ALTER FUNCTION ' END ||
             p.oid::regprocedure::text || ' OWNER TO ' || quote_ident(pg_get_userbyid(p.proowner)),
           CASE WHEN x.extname IS NOT NULL THEN 'a member of extension ' || quote_ident(x.extname)
                ELSE 'an aggregate or window function' END,
           NULL, x.extname, x.extversion,
           (SELECT nspname FROM pg_namespace WHERE oid = x.extnamespace), {}
      FROM pg_depend d
      JOIN pg_proc p ON p.oid = d.refobjid
      JOIN pg_namespace n ON n.oid = p.pronamespace
      LEFT JOIN (pg_depend xd JOIN pg_extension x ON x.oid = xd.refobjid)
        ON xd.classid = 'pg_proc'::regclass AND xd.objid = p.oid AND xd.deptype = 'e'
           AND xd.refclassid = 'pg_extension'::regclass
     WHERE d.refclassid = 'pg_proc'::regclass AND p.oid >= 16384 AND ({})
     ORDER BY 1)sql",
      more_sql("CASE p.prokind WHEN 'p' THEN "
               "'PROCEDURE' ELSE 'FUNCTION' END",
               "p.oid::regprocedure::text", "p.oid", "pg_proc", "p.proacl", "p.proowner"),
      which));
  if (!r) return r.error().within("cannot read the user-defined functions it calls");
  return objects_json(*r);
}

}  // namespace

Result<json> read_functions(db::Connection& conn, const std::string& oid) {
  // What the table's defaults, constraints, triggers, indexes and policies call.
  return functions_used(conn, fmt::format(R"sql(
            (d.classid = 'pg_attrdef'::regclass
             AND d.objid IN (SELECT oid FROM pg_attrdef WHERE adrelid = {0}))
         OR (d.classid = 'pg_constraint'::regclass
             AND d.objid IN (SELECT oid FROM pg_constraint WHERE conrelid = {0}))
         OR (d.classid = 'pg_trigger'::regclass
             AND d.objid IN (SELECT oid FROM pg_trigger WHERE tgrelid = {0}))
         OR (d.classid = 'pg_policy'::regclass
             AND d.objid IN (SELECT oid FROM pg_policy WHERE polrelid = {0}))
         OR (d.classid = 'pg_class'::regclass
             AND d.objid IN (SELECT indexrelid FROM pg_index WHERE indrelid = {0})))sql",
                                          oid));
}

Result<json> read_functions_of(db::Connection& conn, const std::string& classid,
                               const std::string& objid) {
  return functions_used(conn, fmt::format("d.classid = {} AND d.objid = {}", classid, objid));
}

Result<content::CopyFormat> saved_format(db::Connection& conn, const std::string& oid) {
  Result<db::QueryResult> r =
      conn.exec(fmt::format(R"sql({}
    SELECT coalesce(bool_and(t.typsend::oid <> 0 AND t.typreceive::oid <> 0 AND t.typtype <> 'm'
                             AND (t.oid < 16384 OR NOT reached.embedded)
                             AND (t.oid < 16384 OR t.typtype IN ('e', 'd'))),
                    true)
      FROM reached JOIN pg_type t ON t.oid = reached.oid)sql",
                            fmt::format(fmt::runtime(kReached), fmt::arg("oid", oid))));
  if (!r) return r.error().within("cannot read the table's definition");
  return r->at(0, 0) == std::optional<std::string>("t") ? content::CopyFormat::binary
                                                        : content::CopyFormat::text;
}

}  // namespace safedb::snapshot
