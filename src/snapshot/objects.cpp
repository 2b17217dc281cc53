// Schemas, default privileges, extensions, types, sequences and functions
// that a DROP takes with it (snapshot/objects.h): read from the catalog
// inside the run's transaction, before the statement, as the SQL that
// creates each one again.
#include "snapshot/objects.h"

#include <fmt/format.h>

#include "safedb/util/sql_quote.h"
#include "snapshot/definition.h"
#include "snapshot/dropped.h"
#include "snapshot/types.h"

namespace safedb::snapshot {
namespace {

using nlohmann::json;

// Not a member of an extension (which brings it back with itself).
std::string not_member(const char* catalog, const char* oid) {
  return fmt::format(
      "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{}'::regclass AND e.objid = {} "
      "AND e.deptype = 'e')",
      catalog, oid);
}

// The objects of `wanted` (a relation of (classid, objid) rows: pg_depend's
// names) that a snapshot can create again, as rows of (classid, objid,
// kind, name, schema, ord: the order to create kinds in, definition: what
// the catalog prints for it, sql: the statements that create it, NULL for
// those that do not apply).
std::string all_objects(const std::string& wanted) {
  const std::string in = fmt::format("IN (SELECT classid, objid FROM {})", wanted);
  return fmt::format(
      R"sql(
  SELECT 'pg_namespace'::regclass::oid AS classid, s.oid AS objid, 'schema' AS kind,
         quote_ident(s.nspname) AS name, s.nspname::text AS schema, 0 AS ord,
         'schema ' || quote_ident(s.nspname) || ' owned by ' ||
           quote_ident(pg_get_userbyid(s.nspowner)) ||
           coalesce(', granted ' || (SELECT string_agg(
                                        CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                                             ELSE quote_ident(pg_get_userbyid(g.grantee)) END ||
                                        ' ' || g.privilege_type ||
                                        CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION'
                                             ELSE '' END, ', ' ORDER BY 1)
                                      FROM aclexplode(s.nspacl) g
                                     WHERE g.grantee <> s.nspowner), '') AS definition,
         ARRAY['CREATE SCHEMA ' || quote_ident(s.nspname) || ' AUTHORIZATION ' ||
                 quote_ident(pg_get_userbyid(s.nspowner)),
               {schema_comment}] || {schema_grants} AS sql
    FROM pg_namespace s
   WHERE ('pg_namespace'::regclass::oid, s.oid) {in}
  UNION ALL
  SELECT 'pg_default_acl'::regclass::oid, a.oid, 'default privileges',
         'for role ' || quote_ident(pg_get_userbyid(a.defaclrole)) || ' in schema ' ||
           quote_ident(n.nspname) || ' on ' || w.word,
         n.nspname::text, 1,
         (SELECT string_agg(g.grantee_sql || ' ' || g.privilege_type || g.option, ', ' ORDER BY 1)
            FROM {default_grants} g),
         ARRAY(SELECT 'ALTER DEFAULT PRIVILEGES FOR ROLE ' ||
                      quote_ident(pg_get_userbyid(a.defaclrole)) || ' IN SCHEMA ' ||
                      quote_ident(n.nspname) || ' GRANT ' || g.privilege_type || ' ON ' ||
                      w.word || ' TO ' || g.grantee_sql || g.option
                 FROM {default_grants} g ORDER BY 1)
    FROM pg_default_acl a JOIN pg_namespace n ON n.oid = a.defaclnamespace,
    LATERAL (SELECT CASE a.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'
                      WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END
                      AS word) w
   WHERE ('pg_default_acl'::regclass::oid, a.oid) {in}
  UNION ALL
  SELECT 'pg_extension'::regclass::oid, x.oid, 'extension', x.extname::text, n.nspname::text, 1,
         'extension ' || quote_ident(x.extname) || ' version ' || x.extversion || ' in schema ' ||
           quote_ident(n.nspname) AS definition,
         ARRAY['CREATE EXTENSION IF NOT EXISTS ' || quote_ident(x.extname) || ' WITH SCHEMA ' ||
                 quote_ident(n.nspname) || ' VERSION ' || quote_literal(x.extversion),
               {extension_comment}]
    FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
   WHERE ('pg_extension'::regclass::oid, x.oid) {in}
  UNION ALL
  SELECT 'pg_type'::regclass::oid, t.oid, 'type', format_type(t.oid, NULL), n.nspname, 2, c.made,
         ARRAY[c.made,
               'ALTER ' || c.kw || ' ' || format_type(t.oid, NULL) || ' OWNER TO ' ||
                 quote_ident(pg_get_userbyid(t.typowner)),
               {type_comment}] || {type_grants}
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_class rel ON rel.oid = t.typrelid
    LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
    LEFT JOIN pg_range r ON r.rngtypid = t.oid,
    LATERAL (SELECT {create_type} AS made,
                    CASE WHEN t.typtype = 'd' THEN 'DOMAIN' ELSE 'TYPE' END AS kw) c
   WHERE ('pg_type'::regclass::oid, t.oid) {in} AND c.made IS NOT NULL
     AND {type_not_member}
  UNION ALL
  SELECT 'pg_class'::regclass::oid, s.oid, 'sequence', s.oid::regclass::text, n.nspname, 3, c.made,
         ARRAY[c.made,
               'ALTER SEQUENCE ' || s.oid::regclass::text || ' OWNER TO ' ||
                 quote_ident(pg_get_userbyid(s.relowner)),
               -- The value nextval() would have given next (after the last one
               -- of a cycle: the first again; of a used up sequence: the last).
               'ALTER SEQUENCE ' || s.oid::regclass::text || ' RESTART WITH ' ||
                 CASE WHEN pg_sequence_last_value(s.oid)::numeric + q.seqincrement
                             BETWEEN q.seqmin AND q.seqmax
                        THEN pg_sequence_last_value(s.oid) + q.seqincrement
                      WHEN q.seqcycle AND q.seqincrement > 0 THEN q.seqmin
                      WHEN q.seqcycle THEN q.seqmax
                      ELSE pg_sequence_last_value(s.oid) END,
               {sequence_comment},
               -- A column of a table the statement keeps may own it (DROP SEQUENCE).
               (SELECT 'ALTER SEQUENCE ' || s.oid::regclass::text || ' OWNED BY ' ||
                       o.refobjid::regclass::text || '.' || quote_ident(a.attname)
                  FROM pg_depend o
                  JOIN pg_attribute a ON a.attrelid = o.refobjid AND a.attnum = o.refobjsubid
                 WHERE o.classid = 'pg_class'::regclass AND o.objid = s.oid
                   AND o.refclassid = 'pg_class'::regclass AND o.deptype = 'a')] ||
               {sequence_grants}
    FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
    JOIN pg_namespace n ON n.oid = s.relnamespace,
    LATERAL (SELECT 'CREATE ' || CASE WHEN s.relpersistence = 'u' THEN 'UNLOGGED ' ELSE '' END ||
                    'SEQUENCE ' || s.oid::regclass::text || ' AS ' ||
                    format_type(q.seqtypid, NULL) || ' INCREMENT BY ' || q.seqincrement ||
                    ' MINVALUE ' || q.seqmin || ' MAXVALUE ' || q.seqmax || ' START WITH ' ||
                    q.seqstart || ' CACHE ' || q.seqcache ||
                    CASE WHEN q.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END AS made) c
   WHERE ('pg_class'::regclass::oid, s.oid) {in} AND s.relkind = 'S' AND s.relpersistence <> 't'
     -- Its value is read with pg_sequence_last_value(), which needs one of
     -- these. (has_sequence_privilege() fails on other relations, and the
     -- planner may test it before the conditions above.)
     AND CASE WHEN s.relkind = 'S' THEN has_sequence_privilege(s.oid, 'SELECT,USAGE') END
     AND {sequence_not_member}
  UNION ALL
  SELECT 'pg_proc'::regclass::oid, p.oid, lower(c.kw), p.oid::regprocedure::text, n.nspname, 4,
         pg_get_functiondef(p.oid),
         ARRAY[pg_get_functiondef(p.oid),
               'ALTER ' || c.kw || ' ' || p.oid::regprocedure::text || ' OWNER TO ' ||
                 quote_ident(pg_get_userbyid(p.proowner)),
               {function_comment}] || {function_grants}
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
    LATERAL (SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END AS kw) c
   WHERE ('pg_proc'::regclass::oid, p.oid) {in} AND p.prokind IN ('f', 'p')
     AND {function_not_member}
  UNION ALL
  -- A collation (read as JSON, whose keys name its locale as each release does).
  SELECT 'pg_collation'::regclass::oid, co.oid, 'collation', m.name, n.nspname, 2, m.made,
         ARRAY[m.made,
               'ALTER COLLATION ' || m.name || ' OWNER TO ' ||
                 quote_ident(pg_get_userbyid(co.collowner)),
               {collation_comment}]
    FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace,
    LATERAL (SELECT to_jsonb(co) AS j) x,
    LATERAL (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname) AS name) q,
    LATERAL (SELECT q.name,
                    'CREATE COLLATION ' || q.name || ' (' ||
                    concat_ws(', ',
                      'PROVIDER = ' || CASE co.collprovider WHEN 'i' THEN 'icu'
                                                            WHEN 'b' THEN 'builtin'
                                                            ELSE 'libc' END,
                      CASE WHEN co.collprovider <> 'c'
                           THEN 'LOCALE = ' || quote_literal(coalesce(x.j ->> 'colliculocale',
                                                                      x.j ->> 'colllocale')) END,
                      CASE WHEN co.collprovider = 'c'
                           THEN 'LC_COLLATE = ' || quote_literal(x.j ->> 'collcollate') || ', ' ||
                                'LC_CTYPE = ' || quote_literal(x.j ->> 'collctype') END,
                      'RULES = ' || quote_literal(x.j ->> 'collicurules'),
                      CASE WHEN NOT co.collisdeterministic THEN 'DETERMINISTIC = false' END) ||
                    ')' AS made) m
   WHERE ('pg_collation'::regclass::oid, co.oid) {in} AND co.collprovider IN ('c', 'i', 'b')
     AND {collation_not_member}
  UNION ALL
  -- An aggregate, after the functions it calls. ALTER and COMMENT name it
  -- by its aggregate signature (ORDER BY for an ordered-set aggregate),
  -- GRANT ... ON FUNCTION by its argument types.
  SELECT 'pg_proc'::regclass::oid, p.oid, 'aggregate', p.oid::regprocedure::text, n.nspname, 5,
         c.made,
         ARRAY[c.made,
               'ALTER AGGREGATE ' || c.signature || ' OWNER TO ' ||
                 quote_ident(pg_get_userbyid(p.proowner)),
               {aggregate_comment}] || {aggregate_grants}
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    JOIN pg_aggregate a ON a.aggfnoid = p.oid,
    LATERAL (SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' ||
                    coalesce(nullif(pg_get_function_identity_arguments(p.oid), ''), '*') || ')'
                    AS signature) g,
    LATERAL (SELECT g.signature,
                    'CREATE AGGREGATE ' || quote_ident(n.nspname) || '.' ||
                    quote_ident(p.proname) || '(' ||
                    coalesce(nullif(pg_get_function_arguments(p.oid), ''), '*') || ') (' ||
                    concat_ws(', ',
                      'SFUNC = ' || a.aggtransfn::regproc::text,
                      'STYPE = ' || format_type(a.aggtranstype, NULL),
                      'SSPACE = ' || nullif(a.aggtransspace, 0),
                      'FINALFUNC = ' || nullif(a.aggfinalfn, 0)::regproc::text,
                      CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
                      CASE WHEN a.aggfinalfn <> 0
                           THEN 'FINALFUNC_MODIFY = ' || {modify_final} END,
                      'COMBINEFUNC = ' || nullif(a.aggcombinefn, 0)::regproc::text,
                      'SERIALFUNC = ' || nullif(a.aggserialfn, 0)::regproc::text,
                      'DESERIALFUNC = ' || nullif(a.aggdeserialfn, 0)::regproc::text,
                      'INITCOND = ' || quote_literal(a.agginitval),
                      'MSFUNC = ' || nullif(a.aggmtransfn, 0)::regproc::text,
                      'MINVFUNC = ' || nullif(a.aggminvtransfn, 0)::regproc::text,
                      'MSTYPE = ' || format_type(nullif(a.aggmtranstype, 0), NULL),
                      'MSSPACE = ' || nullif(a.aggmtransspace, 0),
                      'MFINALFUNC = ' || nullif(a.aggmfinalfn, 0)::regproc::text,
                      CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
                      CASE WHEN a.aggmfinalfn <> 0
                           THEN 'MFINALFUNC_MODIFY = ' || {modify_mfinal} END,
                      'MINITCOND = ' || quote_literal(a.aggminitval),
                      (SELECT 'SORTOP = OPERATOR(' || quote_ident(on_.nspname) || '.' ||
                              o.oprname || ')'
                         FROM pg_operator o JOIN pg_namespace on_ ON on_.oid = o.oprnamespace
                        WHERE o.oid = a.aggsortop),
                      'PARALLEL = ' || CASE p.proparallel WHEN 's' THEN 'SAFE'
                                                          WHEN 'r' THEN 'RESTRICTED'
                                                          ELSE 'UNSAFE' END,
                      CASE WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' END) || ')' AS made) c
   WHERE ('pg_proc'::regclass::oid, p.oid) {in} AND p.prokind = 'a'
     AND {function_not_member})sql",
      fmt::arg("in", in), fmt::arg("create_type", create_type_sql()),
      fmt::arg("default_grants",
               "(SELECT x.privilege_type, CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE "
               "quote_ident(pg_get_userbyid(x.grantee)) END AS grantee_sql, CASE WHEN "
               "x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS option FROM "
               "aclexplode(a.defaclacl) x)"),
      fmt::arg("schema_comment",
               object_comment_sql("'SCHEMA'", "quote_ident(s.nspname)", "s.oid", "pg_namespace")),
      fmt::arg("schema_grants",
               object_grants_sql("'SCHEMA'", "quote_ident(s.nspname)", "s.nspacl", "s.nspowner")),
      fmt::arg("extension_comment", object_comment_sql("'EXTENSION'", "quote_ident(x.extname)",
                                                       "x.oid", "pg_extension")),
      fmt::arg("type_comment",
               object_comment_sql("c.kw", "format_type(t.oid, NULL)", "t.oid", "pg_type")),
      fmt::arg("type_grants",
               object_grants_sql("c.kw", "format_type(t.oid, NULL)", "t.typacl", "t.typowner")),
      fmt::arg("type_not_member", not_member("pg_type", "t.oid")),
      fmt::arg("sequence_comment",
               object_comment_sql("'SEQUENCE'", "s.oid::regclass::text", "s.oid", "pg_class")),
      fmt::arg("sequence_grants",
               object_grants_sql("'SEQUENCE'", "s.oid::regclass::text", "s.relacl", "s.relowner")),
      fmt::arg("sequence_not_member", not_member("pg_class", "s.oid")),
      fmt::arg("function_comment",
               object_comment_sql("c.kw", "p.oid::regprocedure::text", "p.oid", "pg_proc")),
      fmt::arg("function_grants",
               object_grants_sql("c.kw", "p.oid::regprocedure::text", "p.proacl", "p.proowner")),
      fmt::arg("function_not_member", not_member("pg_proc", "p.oid")),
      fmt::arg("modify_final",
               "CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN "
               "'SHAREABLE' ELSE 'READ_WRITE' END"),
      fmt::arg("modify_mfinal",
               "CASE a.aggmfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN "
               "'SHAREABLE' ELSE 'READ_WRITE' END"),
      fmt::arg("collation_comment",
               object_comment_sql("'COLLATION'", "m.name", "co.oid", "pg_collation")),
      fmt::arg("collation_not_member", not_member("pg_collation", "co.oid")),
      fmt::arg("aggregate_comment",
               object_comment_sql("'AGGREGATE'", "c.signature", "p.oid", "pg_proc")),
      fmt::arg("aggregate_grants", object_grants_sql("'FUNCTION'", "p.oid::regprocedure::text",
                                                     "p.proacl", "p.proowner")));
}

// What the walk (dropped_walk()) drops that comes back with nothing else
// saved, as rows of (classid, objid, whether all_objects() can create it,
// PostgreSQL's description of it).
constexpr const char* kLeftOver = R"sql(,
    members AS (SELECT d.classid, d.objid FROM pg_depend d
                 WHERE d.deptype = 'e' AND d.refclassid = 'pg_extension'::regclass
                   AND d.refobjid IN (SELECT objid FROM dropped
                                       WHERE classid = 'pg_extension'::regclass)),
    left_over AS (
      SELECT DISTINCT x.classid, x.objid FROM dropped x
       WHERE x.objsubid = 0
         AND (x.classid, x.objid) NOT IN (SELECT classid, objid FROM members)
         -- The operators and support functions of a member's operator family.
         AND NOT EXISTS (SELECT 1 FROM pg_depend a
                          WHERE a.classid = x.classid AND a.objid = x.objid
                            AND a.deptype IN ('a', 'i')
                            AND (a.refclassid, a.refobjid) IN (SELECT classid, objid
                                                                 FROM members))
         -- The parts of relations come back with their relation, or as
         -- parts of kept ones (snapshot/parts.h).
         AND x.classid NOT IN ('pg_attrdef'::regclass,
                               'pg_trigger'::regclass, 'pg_policy'::regclass,
                               'pg_rewrite'::regclass, 'pg_statistic_ext'::regclass)
         -- Relations are saved as tables or views, or come back with their
         -- table (indexes, TOAST, the sequences its dropped columns own) or
         -- type (a composite type's).
         AND NOT (x.classid = 'pg_class'::regclass AND EXISTS (
                    SELECT 1 FROM pg_class c WHERE c.oid = x.objid
                       AND (c.relkind <> 'S' OR EXISTS (
                              SELECT 1 FROM pg_depend o
                               WHERE o.classid = 'pg_class'::regclass AND o.objid = c.oid
                                 AND o.refclassid = 'pg_class'::regclass
                                 AND o.deptype IN ('a', 'i')
                                 AND EXISTS (SELECT 1 FROM dropped y
                                              WHERE y.classid = 'pg_class'::regclass
                                                AND y.objid = o.refobjid
                                                AND y.objsubid IN (0, o.refobjsubid))))))
         -- A table saved whole goes back into its publications (its definition).
         AND NOT (x.classid = 'pg_publication_rel'::regclass AND EXISTS (
                    SELECT 1 FROM pg_publication_rel r WHERE r.oid = x.objid
                       AND r.prrelid IN (SELECT objid FROM dropped
                                          WHERE classid = 'pg_class'::regclass
                                            AND objsubid = 0)))
         -- A domain's constraints are part of the domain's CREATE DOMAIN.
         AND NOT (x.classid = 'pg_constraint'::regclass AND EXISTS (
                    SELECT 1 FROM pg_constraint k WHERE k.oid = x.objid
                       AND (k.conrelid <> 0 OR k.contypid IN (
                              SELECT objid FROM dropped WHERE classid = 'pg_type'::regclass))))
         -- Internal to another dropped object, which creates it again.
         AND NOT EXISTS (SELECT 1 FROM pg_depend i
                          WHERE i.classid = x.classid AND i.objid = x.objid AND i.deptype = 'i'
                            AND (i.refclassid, i.refobjid) IN (SELECT classid, objid
                                                                 FROM dropped)))
  SELECT l.classid::text, l.objid::text, o.objid IS NOT NULL,
         pg_describe_object(l.classid, l.objid, 0)
    FROM left_over l LEFT JOIN ({objects}) o ON (o.classid, o.objid) = (l.classid, l.objid)
   ORDER BY 4)sql";

}  // namespace

Result<DroppedObjects> read_objects(db::Connection& conn, const sql::Statement& st) {
  DroppedObjects out;
  const std::optional<std::string> walk = dropped_walk(st, false);
  if (!walk) return out;
  // Found with the session's search_path, which resolves the statement's
  // names as it does; read with an empty one, which qualifies every name.
  Result<db::QueryResult> found = query_walk(
      conn,
      *walk + fmt::format(fmt::runtime(kLeftOver), fmt::arg("objects", all_objects("left_over"))));
  if (!found) return found.error().within("cannot read what else the statement drops");
  std::string which;
  for (const auto& row : found->rows) {
    if (row[2].value_or("") != "t") {
      out.unsaved.push_back(row[3].value_or("?"));
      continue;
    }
    which += fmt::format("{}({}::oid, {}::oid)", which.empty() ? "" : ", ", row[0].value_or("0"),
                         row[1].value_or("0"));
  }
  if (which.empty()) return out;
  Result<json> read = with_qualified_names(conn, [&]() -> Result<json> {
    Result<db::QueryResult> r = conn.exec(fmt::format(
        "SELECT o.kind, o.name, o.schema, o.definition, "
        "array_to_json(array_remove(o.sql, NULL))::text FROM ({}) o ORDER BY o.ord, o.objid",
        all_objects(fmt::format("(VALUES {}) AS wanted(classid, objid)", which))));
    if (!r) return r.error().within("cannot read what else the statement drops");
    for (const auto& row : r->rows) {
      SavedObject o;
      o.statement = st.index;
      o.kind = row[0].value_or("");
      o.name = row[1].value_or("");
      o.schema = row[2].value_or("");
      o.definition = row[3].value_or("");
      o.sql = json::parse(row[4].value_or("[]")).get<std::vector<std::string>>();
      out.saved.push_back(std::move(o));
    }
    return json(nullptr);
  });
  if (!read) return read.error();
  return out;
}

Result<std::optional<std::string>> object_definition(db::Connection& conn, const SavedObject& o) {
  // Found by the name the catalog prints, in its schema: to_regprocedure()
  // and to_regtype() fail, rather than give NULL, on a type of a schema
  // that does not exist.
  const std::string name = util::quote_literal(o.name);
  const std::string schema =
      fmt::format("to_regnamespace({})", util::quote_literal(util::quote_identifier(o.schema)));
  std::string wanted;
  if (o.kind == "default privileges") {
    wanted = fmt::format(
        "(SELECT 'pg_default_acl'::regclass::oid, oid FROM pg_default_acl WHERE defaclnamespace "
        "= {})",
        schema);
  } else if (o.kind == "schema") {
    wanted = fmt::format(
        "(SELECT 'pg_namespace'::regclass::oid, oid FROM pg_namespace WHERE nspname = {})",
        util::quote_literal(o.schema));
  } else if (o.kind == "extension") {
    wanted = fmt::format(
        "(SELECT 'pg_extension'::regclass::oid, oid FROM pg_extension WHERE extname = {})", name);
  } else if (o.kind == "type") {
    wanted = fmt::format(
        "(SELECT 'pg_type'::regclass::oid, oid FROM pg_type WHERE typnamespace = {} AND "
        "format_type(oid, NULL) = {})",
        schema, name);
  } else if (o.kind == "collation") {
    wanted = fmt::format(
        "(SELECT 'pg_collation'::regclass::oid, oid FROM pg_collation WHERE collnamespace = {} "
        "AND {} = quote_ident({}) || '.' || quote_ident(collname))",
        schema, name, util::quote_literal(o.schema));
  } else if (o.kind == "sequence") {
    wanted = fmt::format(
        "(SELECT 'pg_class'::regclass::oid, oid FROM pg_class WHERE relnamespace = {} AND "
        "oid::regclass::text = {})",
        schema, name);
  } else {
    wanted = fmt::format(
        "(SELECT 'pg_proc'::regclass::oid, oid FROM pg_proc WHERE pronamespace = {} AND "
        "oid::regprocedure::text = {})",
        schema, name);
  }
  Result<db::QueryResult> r =
      query_qualified(conn, fmt::format("SELECT o.definition FROM ({}) o WHERE o.kind = {} AND "
                                        "o.name = {}",
                                        all_objects(wanted + " AS wanted(classid, objid)"),
                                        util::quote_literal(o.kind), name));
  if (!r) return r.error().within("cannot read a restored object's definition");
  if (r->rows.empty() || !r->at(0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(*r->at(0, 0));
}

}  // namespace safedb::snapshot
