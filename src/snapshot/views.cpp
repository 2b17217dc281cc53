// Views and materialized views that a statement drops with what it names:
// read from the catalog inside the run's transaction, before the statement,
// as the SQL that creates them again in dependency order.
#include "snapshot/views.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "safedb/util/sql_quote.h"
#include "snapshot/definition.h"
#include "snapshot/files.h"
#include "snapshot/types.h"

namespace safedb::snapshot {
namespace {

using nlohmann::json;

Result<db::QueryResult> query(db::Connection& conn, const std::string& sql) {
  Result<db::QueryResult> r = conn.exec(sql);
  if (!r) return r.error().within("cannot read a dropped view's definition");
  return r;
}

// pg_get_viewdef() and pg_get_ruledef() end their SQL with a semicolon.
std::string without_semicolon(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ' || sql.back() == '\n'))
    sql.pop_back();
  return sql;
}

std::string oid_array(const std::vector<std::string>& oids) {
  std::string out;
  for (const std::string& o : oids)
    out += (out.empty() ? "" : ", ") + o;
  return "ARRAY[" + out + "]::oid[]";
}

// Puts each view after the views of `oids` its query reads; a cycle (not
// possible in PostgreSQL) keeps the catalog's order.
Result<std::vector<std::string>> creation_order(db::Connection& conn,
                                                const std::vector<std::string>& oids) {
  Result<db::QueryResult> r = query(
      conn, fmt::format("SELECT DISTINCT w.ev_class::text, d.refobjid::text FROM pg_rewrite w "
                        "JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = "
                        "w.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> "
                        "w.ev_class WHERE w.ev_class = ANY ({0}) AND d.refobjid = ANY ({0})",
                        oid_array(oids)));
  if (!r) return r.error();
  std::map<std::string, std::set<std::string>> reads;
  for (const auto& row : r->rows)
    reads[row[0].value_or("")].insert(row[1].value_or(""));
  std::vector<std::string> pending = oids;
  std::vector<std::string> out;
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](const std::string& v) {
      return std::none_of(reads[v].begin(), reads[v].end(), [&](const std::string& used) {
        return std::find(pending.begin(), pending.end(), used) != pending.end();
      });
    });
    if (ready == pending.end()) ready = pending.begin();
    out.push_back(*ready);
    pending.erase(ready);
  }
  return out;
}

// The content hash of the rows materialized view `name` holds, in the
// format a snapshot of it would use (set in `format`); the session's output
// settings are pinned for the read and set back.
Result<content::TableDigest> materialized_rows(db::Connection& conn, const std::string& name,
                                               const std::string& oid,
                                               content::CopyFormat& format) {
  Result<content::CopyFormat> chosen = saved_format(conn, oid);
  if (!chosen) return chosen.error().within("cannot read a dropped materialized view");
  format = *chosen;
  Result<SavedOutput> pinned = pin_output(conn, format);
  if (!pinned) return pinned.error();
  content::TableDigest digest;
  digest.name = name;
  util::Progress quiet;
  Status hashed = content::hash_copy(conn, rows_copy(name, format), format, digest, quiet);
  if (!hashed) return hashed.error().within("cannot read the rows of " + name);
  if (Status restored = restore_output(conn, *pinned); !restored) return restored.error();
  return digest;
}

Result<SavedView> read_view(db::Connection& conn, int statement, const std::string& oid) {
  Result<db::QueryResult> head = query(
      conn, fmt::format("SELECT c.oid::regclass::text, c.relkind::text, pg_get_viewdef(c.oid), "
                        "array_to_string(c.reloptions, ', '), c.relispopulated, "
                        "quote_ident(pg_get_userbyid(c.relowner)), obj_description(c.oid, "
                        "'pg_class'), CASE WHEN c.relkind = 'm' AND a.amname <> 'heap' THEN "
                        "quote_ident(a.amname) END, (SELECT nspname FROM pg_namespace WHERE oid = "
                        "c.relnamespace) FROM "
                        "pg_class c LEFT JOIN pg_am a ON a.oid = c.relam WHERE c.oid = {}",
                        oid));
  if (!head) return head.error();
  if (head->rows.size() != 1) return Error::input("a view disappeared while it was read");
  auto cell = [&](std::size_t column) { return head->at(0, column).value_or(""); };
  SavedView v;
  v.statement = statement;
  v.name = cell(0);
  v.schema = cell(8);
  Result<json> schema_as_it_was = read_namespace(conn, oid);
  if (!schema_as_it_was) return schema_as_it_was.error();
  v.schema_as_it_was = std::move(*schema_as_it_was);
  const bool materialized = cell(1) == "m";
  v.kind = materialized ? "materialized view" : "view";
  v.definition = without_semicolon(cell(2));
  v.populated = materialized && cell(4) == "t";
  const std::string what = materialized ? "MATERIALIZED VIEW" : "VIEW";
  const std::string with = cell(3).empty() ? "" : fmt::format(" WITH ({})", cell(3));
  v.sql.push_back(materialized
                      ? fmt::format("CREATE MATERIALIZED VIEW {}{}{} AS\n{}\nWITH NO DATA", v.name,
                                    cell(7).empty() ? "" : " USING " + cell(7), with, v.definition)
                      : fmt::format("CREATE VIEW {}{} AS\n{}", v.name, with, v.definition));

  // Column defaults (views only) and comments.
  Result<db::QueryResult> columns = query(
      conn, fmt::format("SELECT quote_ident(a.attname), pg_get_expr(d.adbin, d.adrelid), "
                        "col_description(a.attrelid, a.attnum) FROM pg_attribute a LEFT JOIN "
                        "pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE "
                        "a.attrelid = {} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                        oid));
  if (!columns) return columns.error();
  for (const auto& row : columns->rows) {
    if (row[1])
      v.sql.push_back(fmt::format("ALTER VIEW {} ALTER COLUMN {} SET DEFAULT {}", v.name,
                                  row[0].value_or(""), *row[1]));
  }
  // Indexes of a materialized view, then its rows; INSTEAD OF triggers and
  // rules of a view (PostgreSQL cannot disable either on a view); then the
  // clustering index, and the comments of all three.
  Result<db::QueryResult> parts = query(conn, fmt::format(R"sql(
      SELECT 1, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = {0}
      UNION ALL SELECT 2, pg_get_triggerdef(oid) FROM pg_trigger
       WHERE tgrelid = {0} AND NOT tgisinternal
      UNION ALL SELECT 3, pg_get_ruledef(oid) FROM pg_rewrite
       WHERE ev_class = {0} AND rulename <> '_RETURN'
      UNION ALL SELECT 4, 'ALTER MATERIALIZED VIEW ' || {0}::regclass::text || ' CLUSTER ON ' ||
                          quote_ident(c.relname)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE i.indrelid = {0} AND i.indisclustered
      UNION ALL SELECT 5, 'COMMENT ON INDEX ' || indexrelid::regclass::text || ' IS ' ||
                          quote_literal(obj_description(indexrelid, 'pg_class'))
        FROM pg_index WHERE indrelid = {0} AND obj_description(indexrelid, 'pg_class') IS NOT NULL
      UNION ALL SELECT 5, 'COMMENT ON TRIGGER ' || quote_ident(tgname) || ' ON ' ||
                          {0}::regclass::text || ' IS ' ||
                          quote_literal(obj_description(oid, 'pg_trigger'))
        FROM pg_trigger WHERE tgrelid = {0} AND obj_description(oid, 'pg_trigger') IS NOT NULL
      UNION ALL SELECT 5, 'COMMENT ON RULE ' || quote_ident(rulename) || ' ON ' ||
                          {0}::regclass::text || ' IS ' ||
                          quote_literal(obj_description(oid, 'pg_rewrite'))
        FROM pg_rewrite WHERE ev_class = {0} AND obj_description(oid, 'pg_rewrite') IS NOT NULL
      ORDER BY 1, 2)sql",
                                                          oid));
  if (!parts) return parts.error();
  bool refreshed = !v.populated;  // a materialized view's rows come back after its indexes
  for (const auto& row : parts->rows) {
    if (!refreshed && row[0] != std::optional<std::string>("1")) {
      v.sql.push_back("REFRESH MATERIALIZED VIEW " + v.name);
      refreshed = true;
    }
    v.sql.push_back(without_semicolon(row[1].value_or("")));
  }
  if (!refreshed) v.sql.push_back("REFRESH MATERIALIZED VIEW " + v.name);
  if (v.populated) {
    Result<content::TableDigest> rows = materialized_rows(conn, v.name, oid, v.rows_format);
    if (!rows) return rows.error();
    v.rows = std::move(*rows);
  }

  Result<json> grants = read_grants(conn, oid);
  if (!grants) return grants.error();
  for (const json& g : *grants)
    v.sql.push_back(g.value("definition", ""));
  if (head->at(0, 6))
    v.sql.push_back(
        fmt::format("COMMENT ON {} {} IS {}", what, v.name, util::quote_literal(*head->at(0, 6))));
  for (const auto& row : columns->rows) {
    if (row[2])
      v.sql.push_back(fmt::format("COMMENT ON COLUMN {}.{} IS {}", v.name, row[0].value_or(""),
                                  util::quote_literal(*row[2])));
  }
  v.sql.push_back(fmt::format("ALTER {} {} OWNER TO {}", what, v.name, cell(5)));
  return v;
}

}  // namespace

Result<std::vector<SavedView>> read_views(db::Connection& conn, int statement,
                                          const std::vector<std::string>& oids) {
  std::vector<SavedView> views;
  Result<json> read = with_qualified_names(conn, [&]() -> Result<json> {
    Result<std::vector<std::string>> order = creation_order(conn, oids);
    if (!order) return order.error();
    for (const std::string& oid : *order) {
      Result<SavedView> v = read_view(conn, statement, oid);
      if (!v) return v.error();
      views.push_back(std::move(*v));
    }
    return json(nullptr);
  });
  if (!read) return read.error();
  return views;
}

Result<std::optional<std::string>> view_definition(db::Connection& conn, const std::string& name) {
  Result<db::QueryResult> r = query_qualified(
      conn, fmt::format("SELECT pg_get_viewdef(c.oid) FROM pg_class c WHERE c.oid = "
                        "to_regclass({}) AND c.relkind IN ('v', 'm')",
                        util::quote_literal(name)));
  if (!r) return r.error().within("cannot read a restored view's definition");
  if (r->rows.empty() || !r->at(0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(without_semicolon(*r->at(0, 0)));
}

std::string rows_copy(const std::string& name, content::CopyFormat format) {
  return fmt::format("COPY (SELECT * FROM {}) TO STDOUT{}", name,
                     format == content::CopyFormat::binary ? " (FORMAT binary)" : "");
}

}  // namespace safedb::snapshot
