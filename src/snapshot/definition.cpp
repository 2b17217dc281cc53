// A table's definition, read from the catalog inside the run's transaction
// (so it includes what earlier statements of the file changed), and the SQL
// that recreates it. The JSON form is documented in docs/snapshots.md.
#include "snapshot/definition.h"
#include "safedb/util/sql_quote.h"
#include "snapshot/parts.h"
#include "snapshot/sequence_value.h"
#include "snapshot/setting.h"
#include "snapshot/types.h"

#include <fmt/format.h>

#include <functional>

namespace safedb::snapshot {
namespace {

using nlohmann::json;

Result<db::QueryResult> query(db::Connection& conn, const std::string& sql) {
  Result<db::QueryResult> r = conn.exec(sql);
  if (!r) return r.error().within("cannot read the table's definition");
  return r;
}

std::string cell(const db::QueryResult& r, std::size_t row, std::size_t column) {
  return r.at(row, column).value_or("");
}

// Rows of `sql` (with `oid` and `compression` substituted) as a JSON array
// of objects keyed by column name.
Result<json> rows_as_json(db::Connection& conn, const std::string& sql, const std::string& oid,
                          const std::string& compression = "NULL") {
  Result<db::QueryResult> r = query(conn, fmt::format(fmt::runtime(sql), fmt::arg("oid", oid),
                                                      fmt::arg("stage_type", kStageTypeSql),
                                                      fmt::arg("compression", compression)));
  if (!r) return r.error();
  json out = json::array();
  for (std::size_t i = 0; i < r->rows.size(); ++i) {
    json row = json::object();
    for (std::size_t c = 0; c < r->columns.size(); ++c)
      row[r->columns[c]] = r->at(i, c) ? json(*r->at(i, c)) : json(nullptr);
    out.push_back(std::move(row));
  }
  return out;
}

constexpr const char* kColumns = R"sql(
  SELECT quote_ident(a.attname) AS name, format_type(a.atttypid, a.atttypmod) AS type,
         a.attnotnull AS not_null, a.attidentity AS identity, a.attgenerated AS generated,
         pg_get_expr(d.adbin, d.adrelid) AS "default",
         CASE WHEN a.attcollation <> t.typcollation
              THEN (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname)
                      FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
                     WHERE co.oid = a.attcollation) END AS collation,
         col_description(a.attrelid, a.attnum) AS comment, {stage_type} AS stage_type,
         NULLIF(a.attstattarget, -1)::text AS statistics, a.attislocal AS local,
         a.attinhcount > 0 AS inherited,
         array_to_string(a.attoptions, ', ') AS attribute_options,
         CASE WHEN a.attstorage <> t.typstorage
              THEN CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL'
                                     WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END END AS storage,
         {compression} AS compression
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attrelid = {oid} AND a.attnum > 0 AND NOT a.attisdropped
   ORDER BY a.attnum)sql";

// The column's compression method where it is not the default; {compression}
// in kColumns on servers that have one (PostgreSQL 14 on), else NULL.
constexpr const char* kCompression =
    "CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END";

// Constraints in the order they can be added back: keys before the checks
// and foreign keys that may depend on them.
constexpr const char* kConstraints = R"sql(
  SELECT quote_ident(conname) AS name, contype AS type, pg_get_constraintdef(oid) AS definition,
         'COMMENT ON CONSTRAINT ' || quote_ident(conname) || ' ON ' || {oid}::regclass::text ||
           ' IS ' || quote_literal(obj_description(oid, 'pg_constraint')) AS comment,
         -- A key's index, which the key makes, may have a comment of its own.
         CASE WHEN contype IN ('p', 'u', 'x') AND conindid <> 0
              THEN 'COMMENT ON INDEX ' || conindid::regclass::text || ' IS ' ||
                   quote_literal(obj_description(conindid, 'pg_class')) END AS index_comment
    FROM pg_constraint WHERE conrelid = {oid} AND contype IN ('p', 'u', 'c', 'f', 'x')
   ORDER BY CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'c' THEN 3 ELSE 4 END,
            conname)sql";

constexpr const char* kIndexes = R"sql(
  SELECT quote_ident(c.relname) AS name, pg_get_indexdef(i.indexrelid) AS definition,
         'COMMENT ON INDEX ' || i.indexrelid::regclass::text || ' IS ' ||
           quote_literal(obj_description(i.indexrelid, 'pg_class')) AS comment
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
   WHERE i.indrelid = {oid}
     AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                                                     AND k.conrelid = i.indrelid)
   ORDER BY c.relname)sql";

// Not the copies of a partitioned table's triggers: attaching the partition
// makes them again.
constexpr const char* kTriggers = R"sql(
  SELECT quote_ident(tgname) AS name, pg_get_triggerdef(oid) AS definition,
         tgenabled AS enabled,
         'COMMENT ON TRIGGER ' || quote_ident(tgname) || ' ON ' || {oid}::regclass::text ||
           ' IS ' || quote_literal(obj_description(oid, 'pg_trigger')) AS comment
    FROM pg_trigger t WHERE tgrelid = {oid} AND NOT tgisinternal
     AND NOT EXISTS (SELECT 1 FROM pg_depend p WHERE p.classid = 'pg_trigger'::regclass
                                                 AND p.objid = t.oid AND p.deptype = 'P')
   ORDER BY tgname)sql";

constexpr const char* kPolicies = R"sql(
  SELECT 'CREATE POLICY ' || quote_ident(p.polname) || ' ON ' || {oid}::regclass::text ||
         CASE WHEN p.polpermissive THEN '' ELSE ' AS RESTRICTIVE' END ||
         ' FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                                  WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END ||
         ' TO ' || CASE WHEN p.polroles = '{{0}}' THEN 'PUBLIC'
                        ELSE (SELECT string_agg(quote_ident(rolname), ', ')
                                FROM pg_roles WHERE oid = ANY (p.polroles)) END ||
         coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '') ||
         coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')
         AS definition,
         'COMMENT ON POLICY ' || quote_ident(p.polname) || ' ON ' || {oid}::regclass::text ||
           ' IS ' || quote_literal(obj_description(p.oid, 'pg_policy')) AS comment
    FROM pg_policy p WHERE p.polrelid = {oid} ORDER BY p.polname)sql";

// Table and column privileges as GRANT statements (the grantor is the owner
// who restores them); "column" names the column of a column privilege.
constexpr const char* kGrants = R"sql(
  SELECT 'GRANT ' || x.privilege_type || ' ON TABLE ' || {oid}::regclass::text || ' TO ' ||
         CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END ||
         CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS definition,
         NULL AS "column"
    FROM pg_class c, aclexplode(c.relacl) x
   WHERE c.oid = {oid} AND x.grantee <> c.relowner
  UNION ALL
  SELECT 'GRANT ' || x.privilege_type || ' (' || quote_ident(a.attname) || ') ON TABLE ' ||
         {oid}::regclass::text || ' TO ' ||
         CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END ||
         CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END,
         quote_ident(a.attname)
    FROM pg_attribute a, aclexplode(a.attacl) x
   WHERE a.attrelid = {oid} AND a.attacl IS NOT NULL AND NOT a.attisdropped)sql";

// Sequences the table owns (serial and identity columns). Where each stands
// ("next") is read from its own row, for a definition a restore may
// recreate the table from (read_qualified()).
constexpr const char* kSequences = R"sql(
  SELECT quote_ident(a.attname) AS "column", d.deptype = 'i' AS identity,
         quote_ident(n.nspname) || '.' || quote_ident(s.relname) AS name,
         format_type(q.seqtypid, NULL) AS data_type, q.seqstart::text AS start,
         q.seqincrement::text AS increment, q.seqmin::text AS min, q.seqmax::text AS max,
         q.seqcache::text AS cache, q.seqcycle AS cycle
    FROM pg_depend d
    JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
    JOIN pg_namespace n ON n.oid = s.relnamespace
    JOIN pg_sequence q ON q.seqrelid = s.oid
    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
   WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
     AND d.refobjid = {oid} AND d.deptype IN ('a', 'i')
   ORDER BY a.attnum)sql";

// Foreign keys of other tables that point at this one (DROP ... CASCADE drops
// them); not the copies of a key that points at a partitioned table, which
// attaching the partition makes again.
constexpr const char* kReferencing = R"sql(
  SELECT k.conrelid::regclass::text AS "table", quote_ident(k.conname) AS name,
         pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k
   WHERE k.confrelid = {oid} AND k.contype = 'f' AND k.conrelid <> {oid}
     AND NOT EXISTS (SELECT 1 FROM pg_depend p WHERE p.classid = 'pg_constraint'::regclass
                                                 AND p.objid = k.oid
                                                 AND p.refclassid = 'pg_constraint'::regclass)
   ORDER BY 1, 2)sql";

// The publications that list the table by name (a DROP TABLE takes it out
// of them), as ALTER PUBLICATION statements; {filters} is kFilters on a
// server that has column lists and row filters (PostgreSQL 15 on), else "".
constexpr const char* kPublications = R"sql(
  SELECT 'ALTER PUBLICATION ' || quote_ident(p.pubname) || ' ADD TABLE ' ||
         {oid}::regclass::text {filters} AS definition
    FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
   WHERE pr.prrelid = {oid}
   ORDER BY p.pubname)sql";
constexpr const char* kFilters = R"sql(||
         coalesce(' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                             FROM pg_attribute a
                            WHERE a.attrelid = pr.prrelid
                              AND a.attnum = ANY (pr.prattrs::int2[])) || ')', '') ||
         coalesce(' WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || ')', ''))sql";

// The table's schema: its owner, and its grants as GRANT statements (one
// row with a NULL grant when there are none), for a DROP SCHEMA's restore.
constexpr const char* kSchema = R"sql(
  SELECT quote_ident(pg_get_userbyid(n.nspowner)) AS owner,
         'GRANT ' || x.privilege_type || ' ON SCHEMA ' || quote_ident(n.nspname) || ' TO ' ||
         CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END ||
         CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS "grant"
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN LATERAL aclexplode(n.nspacl) x ON x.grantee <> n.nspowner
   WHERE c.oid = {oid}
   ORDER BY 2)sql";

}  // namespace

Result<json> read_namespace(db::Connection& conn, const std::string& oid) {
  Result<json> schema = rows_as_json(conn, kSchema, oid);
  if (!schema) return schema.error();
  json grants = json::array();
  for (const json& row : *schema) {
    if (row["grant"].is_string()) grants.push_back(row["grant"]);
  }
  return json{{"owner", schema->empty() ? json("") : (*schema)[0]["owner"]},
              {"grants", std::move(grants)}};
}

namespace {

// kPublications for table `oid`, asked only of a table in a publication.
Result<json> read_publications(db::Connection& conn, const std::string& oid) {
  Result<db::QueryResult> r = query(
      conn, fmt::format("SELECT EXISTS (SELECT 1 FROM pg_publication_rel WHERE prrelid = {}), "
                        "current_setting('server_version_num')::int >= 150000",
                        oid));
  if (!r) return r.error();
  if (cell(*r, 0, 0) != "t") return json::array();
  // An older server would refuse a query that names the columns at all.
  const std::string mark = "{filters}";
  std::string sql = kPublications;
  sql.replace(sql.find(mark), mark.size(), cell(*r, 0, 1) == "t" ? kFilters : "");
  return rows_as_json(conn, sql, oid);
}

// The table itself: one row, in the order read_qualified() takes it apart.
// A partition's parent is not an inheritance parent: it is attached again.
constexpr const char* kTable = R"sql(
  SELECT {oid}::regclass::text, quote_ident(pg_get_userbyid(c.relowner)), c.relpersistence,
         -- Its TOAST table's parameters are set on it with a "toast." prefix.
         array_to_string(c.reloptions ||
                         coalesce((SELECT array_agg('toast.' || o) FROM pg_class t,
                                          unnest(t.reloptions) o WHERE t.oid = c.reltoastrelid),
                                  '{{}}'), ', '),
         obj_description(c.oid, 'pg_class'),
         c.relrowsecurity, c.relforcerowsecurity,
         (SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
            FROM pg_inherits i WHERE i.inhrelid = c.oid AND NOT c.relispartition),
         (SELECT i.inhparent::regclass::text FROM pg_inherits i
           WHERE i.inhrelid = c.oid AND c.relispartition),
         pg_get_expr(c.relpartbound, c.oid),
         CASE c.relreplident WHEN 'n' THEN 'NOTHING' WHEN 'f' THEN 'FULL'
              WHEN 'i' THEN (SELECT 'USING INDEX ' || quote_ident(x.relname)
                               FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
                              WHERE i.indrelid = c.oid AND i.indisreplident) END,
         (SELECT quote_ident(x.relname) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
           WHERE i.indrelid = c.oid AND i.indisclustered),
         CASE WHEN c.reloftype <> 0 THEN c.reloftype::regtype::text END,
         CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
         current_setting('server_version_num')::int >= 140000,
         -- A configuration table of an extension comes back with it.
         (SELECT quote_ident(e.extname) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
           WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e')
    FROM pg_class c WHERE c.oid = {oid})sql";

Result<json> read_qualified(db::Connection& conn, const std::string& oid, bool dependencies) {
  Result<db::QueryResult> head =
      query(conn, fmt::format(fmt::runtime(kTable), fmt::arg("oid", oid)));
  if (!head) return head.error();
  if (head->rows.size() != 1) return Error::input("the table disappeared while it was read");
  auto text = [&](std::size_t column) {
    return head->at(0, column) ? json(*head->at(0, column)) : json(nullptr);
  };
  json d = {{"name", cell(*head, 0, 0)},
            {"inherits", text(7)},
            {"owner", cell(*head, 0, 1)},
            {"unlogged", cell(*head, 0, 2) == "u"},
            {"options", cell(*head, 0, 3)},
            {"comment", text(4)},
            {"row_security", cell(*head, 0, 5) == "t"},
            {"force_row_security", cell(*head, 0, 6) == "t"}};
  // Written only when set, so that definitions saved before they were read
  // and those without them look the same.
  const std::pair<const char*, std::size_t> optional[] = {
      {"partition_of", 8}, {"partition_bound", 9}, {"replica_identity", 10}, {"clustered_on", 11},
      {"of_type", 12},     {"partition_key", 13},  {"extension", 15}};
  for (const auto& [key, column] : optional) {
    if (head->at(0, column)) d[key] = *head->at(0, column);
  }
  const std::string compression = cell(*head, 0, 14) == "t" ? kCompression : "NULL";
  const std::pair<const char*, const char*> parts[] = {
      {"columns", kColumns},     {"constraints", kConstraints},  {"indexes", kIndexes},
      {"triggers", kTriggers},   {"policies", kPolicies},        {"grants", kGrants},
      {"sequences", kSequences}, {"referenced_by", kReferencing}};
  for (const auto& [key, sql] : parts) {
    Result<json> rows = rows_as_json(conn, sql, oid, compression);
    if (!rows) return rows.error();
    d[key] = std::move(*rows);
  }
  if (!dependencies) return d;
  // Where each owned sequence stands, from its own row (pg_sequence_last_value()
  // cannot tell a sequence restarted at a value and not used since from a
  // new one).
  for (json& sequence : d["sequences"]) {
    Result<std::optional<std::string>> position = sequence_value(conn, sequence.value("name", ""));
    if (!position) return position.error();
    if (*position) sequence["next"] = sequence_next(**position);
  }
  Result<json> more = read_rules_and_statistics(conn, oid);
  if (!more) return more.error();
  if (!more->empty()) d["rules_and_statistics"] = std::move(*more);
  Result<json> publications = read_publications(conn, oid);
  if (!publications) return publications.error();
  d["publications"] = std::move(*publications);
  Result<json> schema = read_namespace(conn, oid);
  if (!schema) return schema.error();
  d["namespace"] = std::move(*schema);
  Result<json> types = read_types(conn, oid);
  if (!types) return types.error();
  d["types"] = std::move(*types);
  Result<json> functions = read_functions(conn, oid);
  if (!functions) return functions.error();
  d["functions"] = std::move(*functions);
  return d;
}

}  // namespace

Result<json> with_qualified_names(db::Connection& conn, const std::function<Result<json>()>& read) {
  // With an empty search_path the catalog prints every name schema-qualified
  // (regclass, format_type, pg_get_*def), so the SQL recreates the same
  // objects whatever the restoring session's search_path is. The session's
  // own value comes back afterwards, for the statements still to run.
  return with_setting<json>(conn, "search_path", "", SettingScope::transaction, read);
}

Result<db::QueryResult> query_qualified(db::Connection& conn, const std::string& sql) {
  return with_setting<db::QueryResult>(conn, "search_path", "", SettingScope::session,
                                       [&] { return conn.exec(sql); });
}

Result<json> read_definition(db::Connection& conn, const std::string& oid, bool dependencies) {
  return with_qualified_names(conn, [&] { return read_qualified(conn, oid, dependencies); });
}

Result<json> read_grants(db::Connection& conn, const std::string& oid) {
  return rows_as_json(conn, kGrants, oid);
}

namespace {

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

bool flag(const json& j, const char* key) {
  if (!j.contains(key)) return false;
  if (j[key].is_boolean()) return j[key].get<bool>();
  return j[key].is_string() && j[key].get<std::string>() == "t";
}

// `typed`: with "AS <type>", which an identity refuses (its sequence takes
// the column's type). The sequence starts where it did and goes on at the
// value it would have handed out next.
std::string sequence_options(const json& s, bool typed = true) {
  const std::string next = str(s, "next");
  return fmt::format("{}INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {}{} CACHE {}{}",
                     typed ? "AS " + str(s, "data_type") + " " : std::string(), str(s, "increment"),
                     str(s, "min"), str(s, "max"), str(s, "start"),
                     next.empty() || next == str(s, "start") ? "" : " RESTART WITH " + next,
                     str(s, "cache"), flag(s, "cycle") ? " CYCLE" : " NO CYCLE");
}

const json* sequence_of(const json& d, const std::string& column) {
  if (!d.contains("sequences") || !d["sequences"].is_array()) return nullptr;
  for (const json& s : d["sequences"]) {
    if (str(s, "column") == column) return &s;
  }
  return nullptr;
}

}  // namespace

std::string column_sql(const json& d, const json& c) {
  std::string out = str(c, "name") + " " + str(c, "type");
  if (!str(c, "collation").empty()) out += " COLLATE " + str(c, "collation");
  const std::string generated = str(c, "generated");
  if (generated == "s") {
    out += " GENERATED ALWAYS AS (" + str(c, "default") + ") STORED";
  } else if (!str(c, "identity").empty()) {
    out += str(c, "identity") == "a" ? " GENERATED ALWAYS AS IDENTITY"
                                     : " GENERATED BY DEFAULT AS IDENTITY";
    // The sequence keeps its name (a renamed table's keeps the old one) and
    // its position; it takes the column's type, and "AS" here is an error.
    if (const json* s = sequence_of(d, str(c, "name")))
      out += " (SEQUENCE NAME " + str(*s, "name") + " " + sequence_options(*s, false) + ")";
  } else if (!str(c, "default").empty()) {
    out += " DEFAULT " + str(c, "default");
  }
  if (flag(c, "not_null")) out += " NOT NULL";
  return out;
}

std::string add_constraint_sql(const std::string& table, const std::string& name,
                               const std::string& definition) {
  return fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", table, name, definition);
}

std::vector<std::string> column_options_sql(const std::string& table, const json& c) {
  std::vector<std::string> out;
  const std::string prefix = fmt::format("ALTER TABLE {} ALTER COLUMN {}", table, str(c, "name"));
  if (!str(c, "storage").empty()) out.push_back(prefix + " SET STORAGE " + str(c, "storage"));
  if (!str(c, "compression").empty())
    out.push_back(prefix + " SET COMPRESSION " + str(c, "compression"));
  if (!str(c, "statistics").empty())
    out.push_back(prefix + " SET STATISTICS " + str(c, "statistics"));
  if (!str(c, "attribute_options").empty())
    out.push_back(prefix + " SET (" + str(c, "attribute_options") + ")");
  return out;
}

std::vector<std::string> column_comment_and_grants_sql(const json& d, const json& c) {
  std::vector<std::string> out;
  if (c.contains("comment") && c["comment"].is_string())
    out.push_back(fmt::format("COMMENT ON COLUMN {}.{} IS {}", str(d, "name"), str(c, "name"),
                              util::quote_literal(str(c, "comment"))));
  for (const json& g : d.value("grants", json::array())) {
    if (str(g, "column") == str(c, "name")) out.push_back(str(g, "definition"));
  }
  return out;
}

ColumnSequenceSql column_sequence_sql(const json& d, const std::string& column) {
  ColumnSequenceSql out;
  const json* s = sequence_of(d, column);
  if (s == nullptr) return out;
  const std::string table = str(d, "name");
  if (flag(*s, "identity")) {
    for (const json& c : d.value("columns", json::array())) {
      if (str(c, "name") != column) continue;
      out.after.push_back(fmt::format(
          "ALTER TABLE {} ALTER COLUMN {} ADD GENERATED {} AS IDENTITY (SEQUENCE NAME {} {})",
          table, column, str(c, "identity") == "a" ? "ALWAYS" : "BY DEFAULT", str(*s, "name"),
          sequence_options(*s, false)));
    }
    return out;
  }
  out.before.push_back(fmt::format("CREATE SEQUENCE {} {}", str(*s, "name"), sequence_options(*s)));
  out.after.push_back(
      fmt::format("ALTER SEQUENCE {} OWNED BY {}.{}", str(*s, "name"), table, column));
  return out;
}

std::vector<std::string> create_table_sql(const json& d) {
  std::vector<std::string> out;
  const std::string table = str(d, "name");
  // Serial sequences first: the column defaults call them.
  for (const json& s : d.value("sequences", json::array())) {
    if (!flag(s, "identity"))
      out.push_back(fmt::format("CREATE SEQUENCE {} {}", str(s, "name"), sequence_options(s)));
  }
  // Columns a child only inherits come from its parents (declared here too
  // they would become its own); what it sets on them itself, after.
  const bool child = !str(d, "inherits").empty();
  std::string columns;
  std::vector<std::string> inherited;
  for (const json& c : d.value("columns", json::array())) {
    if (child && str(c, "local") == "f") {
      const std::string column =
          fmt::format("ALTER TABLE {} ALTER COLUMN {}", table, str(c, "name"));
      if (!str(c, "default").empty() && str(c, "generated").empty() && str(c, "identity").empty())
        inherited.push_back(column + " SET DEFAULT " + str(c, "default"));
      if (flag(c, "not_null")) inherited.push_back(column + " SET NOT NULL");
      continue;
    }
    // A column of its own that is also its parent's would take the parent's
    // default from CREATE TABLE.
    if (child && flag(c, "inherited") && str(c, "default").empty())
      inherited.push_back(
          fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", table, str(c, "name")));
    columns += (columns.empty() ? "\n  " : ",\n  ") + column_sql(d, c);
  }
  out.push_back(fmt::format(
      "CREATE {}TABLE {} ({}\n){}{}{}", flag(d, "unlogged") ? "UNLOGGED " : "", table, columns,
      str(d, "inherits").empty() ? "" : " INHERITS (" + str(d, "inherits") + ")",
      str(d, "partition_key").empty() ? "" : " PARTITION BY " + str(d, "partition_key"),
      str(d, "options").empty() ? "" : " WITH (" + str(d, "options") + ")"));
  for (std::string& sql : inherited)
    out.push_back(std::move(sql));
  if (!str(d, "of_type").empty())
    out.push_back(fmt::format("ALTER TABLE {} OF {}", table, str(d, "of_type")));
  // Before the rows, which are stored as these say.
  for (const json& c : d.value("columns", json::array())) {
    for (std::string& sql : column_options_sql(table, c))
      out.push_back(std::move(sql));
  }
  for (const json& s : d.value("sequences", json::array())) {
    if (!flag(s, "identity"))
      out.push_back(
          fmt::format("ALTER SEQUENCE {} OWNED BY {}.{}", str(s, "name"), table, str(s, "column")));
  }
  return out;
}

std::vector<std::string> finish_table_sql(const json& d) {
  std::vector<std::string> out;
  const std::string table = str(d, "name");
  for (const json& k : d.value("constraints", json::array()))
    out.push_back(add_constraint_sql(table, str(k, "name"), str(k, "definition")));
  for (const char* key : {"indexes", "triggers", "policies", "grants"}) {
    for (const json& x : d.value(key, json::array()))
      out.push_back(str(x, "definition"));
  }
  // pg_trigger.tgenabled: O (the default), D, R or A.
  for (const json& t : d.value("triggers", json::array())) {
    const std::string enabled = str(t, "enabled");
    const char* how = enabled == "D"   ? "DISABLE"
                      : enabled == "R" ? "ENABLE REPLICA"
                      : enabled == "A" ? "ENABLE ALWAYS"
                                       : nullptr;
    if (how != nullptr)
      out.push_back(fmt::format("ALTER TABLE {} {} TRIGGER {}", table, how, str(t, "name")));
  }
  for (const json& part : d.value("rules_and_statistics", json::array())) {
    for (const json& sql : part.value("sql", json::array()))
      out.push_back(sql.get<std::string>());
  }
  // Each a "COMMENT ON ..." statement, or null for none.
  for (const char* key : {"constraints", "indexes", "triggers", "policies"}) {
    for (const json& x : d.value(key, json::array())) {
      for (const char* comment : {"comment", "index_comment"}) {
        if (!str(x, comment).empty()) out.push_back(str(x, comment));
      }
    }
  }
  if (!str(d, "replica_identity").empty())
    out.push_back(
        fmt::format("ALTER TABLE {} REPLICA IDENTITY {}", table, str(d, "replica_identity")));
  if (!str(d, "clustered_on").empty())
    out.push_back(fmt::format("ALTER TABLE {} CLUSTER ON {}", table, str(d, "clustered_on")));
  if (flag(d, "row_security"))
    out.push_back(fmt::format("ALTER TABLE {} ENABLE ROW LEVEL SECURITY", table));
  if (flag(d, "force_row_security"))
    out.push_back(fmt::format("ALTER TABLE {} FORCE ROW LEVEL SECURITY", table));
  if (d.contains("comment") && d["comment"].is_string())
    out.push_back(
        fmt::format("COMMENT ON TABLE {} IS {}", table, util::quote_literal(str(d, "comment"))));
  for (const json& c : d.value("columns", json::array())) {
    if (c.contains("comment") && c["comment"].is_string())
      out.push_back(fmt::format("COMMENT ON COLUMN {}.{} IS {}", table, str(c, "name"),
                                util::quote_literal(str(c, "comment"))));
  }
  if (!str(d, "owner").empty())
    out.push_back(fmt::format("ALTER TABLE {} OWNER TO {}", table, str(d, "owner")));
  // Last of its own: attaching matches the indexes, keys and foreign keys
  // made above with the parent's, clones the parent's triggers, and checks
  // every row against the bound.
  if (!str(d, "partition_of").empty())
    out.push_back(fmt::format("ALTER TABLE {} ATTACH PARTITION {} {}", str(d, "partition_of"),
                              table, str(d, "partition_bound")));
  for (const json& p : d.value("publications", json::array()))
    out.push_back(str(p, "definition"));
  for (const json& r : d.value("referenced_by", json::array()))
    out.push_back(add_constraint_sql(str(r, "table"), str(r, "name"), str(r, "definition")));
  return out;
}

}  // namespace safedb::snapshot
