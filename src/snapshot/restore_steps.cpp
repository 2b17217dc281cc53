// The SQL that puts one saved table back (snapshot/restore_steps.h), by what
// its statement destroyed. Names in the SQL: t is the table restored into,
// s the temporary table holding the saved rows.
#include "snapshot/restore_steps.h"

#include <fmt/format.h>

#include <algorithm>

#include "safedb/content/content.h"
#include "safedb/util/sql_quote.h"
#include "snapshot/definition.h"
#include "snapshot/objects.h"
#include "snapshot/parts.h"
#include "snapshot/sequence_value.h"

namespace safedb::snapshot::detail {
namespace {

using nlohmann::json;

bool relation_exists(db::Connection& conn, const std::string& regclass) {
  return scalar(conn,
                fmt::format("SELECT to_regclass({}) IS NOT NULL", util::quote_literal(regclass))) ==
         std::optional<std::string>("t");
}

// "(k1, k2) = (s.k1, s.k2)" over the primary key, prefixed t. and s.
std::string key_match(const SavedTable& t) {
  return fmt::format("({}) = ({})", list(t.key, "t."), list(t.key, "s."));
}

// The definition of saved column `name`, or an empty object.
const json& column_named(const SavedTable& t, const std::string& name) {
  static const json none = json::object();
  if (!t.definition.contains("columns") || !t.definition["columns"].is_array()) return none;
  for (const json& c : t.definition["columns"]) {
    if (c.value("name", "") == name) return c;
  }
  return none;
}

std::string string_field(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

// Plans CREATE SCHEMA for `schema` (a name) unless it exists or is planned.
void plan_schema(db::Connection& conn, const std::string& schema, RestorePlan& plan) {
  const std::string quoted = util::quote_identifier(schema);
  if (scalar(conn, fmt::format("SELECT to_regnamespace({}) IS NULL",
                               util::quote_literal(quoted))) == std::optional<std::string>("t") &&
      plan.schemas_made.insert(schema).second)
    plan.sql.push_back("CREATE SCHEMA IF NOT EXISTS " + quoted);
}

// Plans CREATE SCHEMA when `schema` does not exist, with the owner and
// grants of `saved` ({"owner", "grants"}, as the snapshot read them) when
// it has them.
void plan_schema_as_it_was(db::Connection& conn, const std::string& schema, const json& saved,
                           RestorePlan& plan) {
  const std::size_t before = plan.sql.size();
  plan_schema(conn, schema, plan);
  if (plan.sql.size() == before || !saved.is_object()) return;
  if (!string_field(saved, "owner").empty())
    plan.sql.push_back(fmt::format("ALTER SCHEMA {} OWNER TO {}", util::quote_identifier(schema),
                                   string_field(saved, "owner")));
  for (const json& grant : saved.value("grants", json::array()))
    plan.sql.push_back(grant.get<std::string>());
}

// Plans CREATE EXTENSION for `extension` (name, version, schema), which
// brings back `member` of what `owner` (a saved table or part, for
// problems) uses, unless it is planned already. An extension installed
// elsewhere since, which lacks the member there, is a problem.
void plan_extension(db::Connection& conn, const std::string& owner, const json& extension,
                    const std::string& member, RestorePlan& plan) {
  const std::string name = string_field(extension, "name");
  if (plan.objects_made.count("extension " + name) != 0) return;
  if (const std::optional<std::string> now =
          scalar(conn, fmt::format("SELECT n.nspname FROM pg_extension x JOIN pg_namespace n ON "
                                   "n.oid = x.extnamespace WHERE x.extname = {}",
                                   util::quote_literal(name)))) {
    plan.problems.push_back(fmt::format(
        "{}: {} no longer exists; it belonged to extension {}, which is installed now in schema "
        "{} instead of {}",
        owner, member, name, *now, string_field(extension, "schema")));
    return;
  }
  plan_schema(conn, string_field(extension, "schema"), plan);
  plan.sql.push_back(fmt::format("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION {}",
                                 util::quote_identifier(name),
                                 util::quote_identifier(string_field(extension, "schema")),
                                 util::quote_literal(string_field(extension, "version"))));
  plan.objects_made.insert("extension " + name);
}

// Plans the saved views in plan.views up to the one named `name`, when it
// is one of them; false when it is not.
bool plan_views_until(db::Connection& conn, const std::string& name, RestorePlan& plan) {
  auto it = std::find_if(plan.views.begin(), plan.views.end(),
                         [&](const SavedView* v) { return v->name == name; });
  if (it == plan.views.end()) return false;
  for (auto v = plan.views.begin(); v <= it; ++v)
    plan_view(conn, **v, plan);
  return true;
}

// Plans the objects of definition[key] ("types" or "functions": what a
// saved table or part uses) that `lookup` ("to_regtype",
// "to_regprocedure") does not find, in the order the snapshot listed them;
// `owner` (the table or part) and `what` name them in problems.
void plan_objects(db::Connection& conn, const json& definition, const std::string& owner,
                  RestorePlan& plan, const char* key, const char* lookup, const char* what) {
  for (const json& object : definition.value(key, json::array())) {
    const std::string name = string_field(object, "name");
    if (plan.objects_made.count(name) != 0 ||
        scalar(conn, fmt::format("SELECT {}({}) IS NULL", lookup, util::quote_literal(name))) !=
            std::optional<std::string>("t"))
      continue;
    const json sql = object.value("sql", json::array());
    // The row type of a table recreated earlier in this restore comes with
    // it; that of a saved view, with the view (and the saved views before it).
    if (sql.empty() && plan.tables_made.count(string_field(object, "table")) != 0) continue;
    if (sql.empty() && plan_views_until(conn, string_field(object, "table"), plan)) continue;
    if (sql.empty() && object.contains("extension") && object["extension"].is_object()) {
      plan_extension(conn, owner, object["extension"], name, plan);
      continue;
    }
    if (sql.empty()) {
      plan.problems.push_back(
          fmt::format("{}: {} {} no longer exists, and safedb cannot recreate "
                      "{}; create it first",
                      owner, what, name, string_field(object, "why")));
      continue;
    }
    plan_schema(conn, string_field(object, "schema"), plan);
    // A function's body may name tables this restore has yet to recreate.
    if (std::string_view(key) == "functions" && !plan.unchecked_bodies) {
      plan.sql.push_back("SET LOCAL check_function_bodies = off");
      plan.unchecked_bodies = true;
    }
    for (const json& statement : sql)
      plan.sql.push_back(statement.get<std::string>());
    plan.objects_made.insert(name);
  }
}

}  // namespace

Status find_missing_types(db::Connection& conn, RestoreEntry& e) {
  e.missing.clear();
  std::string names;
  std::string types;
  for (const std::string& c : e.columns) {
    names += (names.empty() ? "" : ", ") + util::quote_literal(c);
    types += (types.empty() ? "" : ", ") +
             util::quote_literal(string_field(column_named(*e.saved, c), "type"));
  }
  if (names.empty()) return {};
  Result<db::QueryResult> r =
      conn.exec(fmt::format("SELECT c FROM unnest(ARRAY[{}]::text[], ARRAY[{}]::text[]) AS x(c, t) "
                            "WHERE to_regtype(t) IS NULL",
                            names, types));
  if (!r) return r.error().within("cannot look up the types of the saved columns");
  for (const auto& row : r->rows)
    e.missing.insert(row[0].value_or(""));
  return {};
}

std::string staged_columns(const RestoreEntry& e) {
  std::string out;
  for (std::size_t i = 0; i < e.columns.size(); ++i) {
    std::string column = e.saved->digest.columns[i];
    if (e.missing.count(e.columns[i]) != 0) {
      const std::string stage = string_field(column_named(*e.saved, e.columns[i]), "stage_type");
      const bool binary = e.saved->format == content::CopyFormat::binary;
      column = e.columns[i] + " " + (binary && !stage.empty() ? stage : "text");
    }
    out += (out.empty() ? "" : ", ") + column;
  }
  return out;
}

std::string staged_value(const RestoreEntry& e, const std::string& column) {
  if (e.missing.count(column) == 0) return "s." + column;
  return fmt::format("s.{}::{}", column, string_field(column_named(*e.saved, column), "type"));
}

std::string list(const std::vector<std::string>& names, std::string_view prefix) {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + std::string(prefix) + n;
  return out;
}

std::optional<std::string> scalar(db::Connection& conn, const std::string& sql) {
  Result<db::QueryResult> r = conn.exec(sql);
  if (!r || r->rows.empty() || r->columns.empty()) return std::nullopt;
  return r->at(0, 0);
}

void plan_copy(const RestoreEntry& e, RestorePlan& plan) {
  const std::string C = list(e.columns);
  // A column whose type is gone is copied as its stand-in type.
  plan.sql.push_back(fmt::format("CREATE TABLE {} ({})", e.target, staged_columns(e)));
  plan.sql.push_back(fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", e.target, C, C, e.temp));
}

void plan_types(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan) {
  if (e.missing.empty()) return;
  plan_objects(conn, e.saved->definition, e.saved->digest.qualified(), plan, "types", "to_regtype",
               "type of its columns");
}

void plan_recreate(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan) {
  const SavedTable& t = *e.saved;
  const std::string C = list(e.columns);
  if (relation_exists(conn, e.target)) {
    plan.problems.push_back(
        fmt::format("{}: a table of that name exists again; restore a copy with --into to compare",
                    t.digest.qualified()));
    return;
  }
  if (t.destroys == "schema")
    plan_schema_as_it_was(conn, t.digest.schema, t.definition.value("namespace", json::object()),
                          plan);
  plan_types(conn, e, plan);
  plan_objects(conn, t.definition, t.digest.qualified(), plan, "functions", "to_regprocedure",
               "function");
  for (std::string& s : create_table_sql(t.definition))
    plan.sql.push_back(std::move(s));
  plan.tables_made.insert(string_field(t.definition, "name"));
  std::string values;
  for (const std::string& c : e.columns)
    values += (values.empty() ? "" : ", ") + staged_value(e, c);
  plan.sql.push_back(fmt::format("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {} s",
                                 e.target, C, values, e.temp));
  // Foreign keys of other tables that the DROP removed come back too; those
  // still there, or whose table is gone, are left alone.
  json definition = t.definition;
  json kept = json::array();
  for (const json& r : definition.value("referenced_by", json::array())) {
    const std::string other = r.value("table", "");
    const bool still_there =
        scalar(conn,
               fmt::format("SELECT count(*) FROM pg_constraint "
                           "WHERE conrelid = to_regclass({}) AND quote_ident(conname) = {}",
                           util::quote_literal(other), util::quote_literal(r.value("name", "")))) ==
        std::optional<std::string>("1");
    if (relation_exists(conn, other) && !still_there) kept.push_back(r);
  }
  definition["referenced_by"] = json::array();
  // Its own foreign keys also once every table is back: two tables a
  // statement dropped may point at each other. A partition keeps them, for
  // attaching it matches them with its parent's.
  if (string_field(definition, "partition_of").empty()) {
    json others = json::array();
    for (const json& k : definition.value("constraints", json::array())) {
      if (string_field(k, "type") != "f") {
        others.push_back(k);
        continue;
      }
      plan.after_tables.push_back(add_constraint_sql(string_field(definition, "name"),
                                                     string_field(k, "name"),
                                                     string_field(k, "definition")));
      if (!string_field(k, "comment").empty())
        plan.after_tables.push_back(string_field(k, "comment"));
    }
    definition["constraints"] = std::move(others);
  }
  for (const json& p : definition.value("policies", json::array())) {
    plan.after_views.push_back(string_field(p, "definition"));
    if (!string_field(p, "comment").empty()) plan.after_views.push_back(string_field(p, "comment"));
  }
  definition["policies"] = json::array();
  json statistics = json::array();
  for (const json& part : definition.value("rules_and_statistics", json::array())) {
    if (string_field(part, "kind") != "rule") {
      statistics.push_back(part);
      continue;
    }
    for (const json& sql : part.value("sql", json::array()))
      plan.after_views.push_back(sql.get<std::string>());
  }
  definition["rules_and_statistics"] = std::move(statistics);
  for (std::string& s : finish_table_sql(definition))
    plan.sql.push_back(std::move(s));
  for (const json& r : kept)
    plan.after_tables.push_back(add_constraint_sql(
        string_field(r, "table"), string_field(r, "name"), string_field(r, "definition")));
}

namespace {

// The UPDATE that fills column t.column of the table from the saved rows:
// by primary key; without one, by the table's other columns, the n-th of
// the rows equal in all of them taking the n-th saved value (rows that are
// alike but for the column are interchangeable, so the table's rows come
// back as they were). Rows changed since match no saved row and stay NULL,
// which the check afterwards reports. A row is named by its table and ctid:
// the partitions and children an UPDATE of the parent reaches each number
// their own.
std::string fill_column(const RestoreEntry& e) {
  const SavedTable& t = *e.saved;
  if (!t.key.empty()) {
    return fmt::format("UPDATE {} AS t SET {} = {} FROM {} AS s WHERE {}", e.target, t.column,
                       staged_value(e, t.column), e.temp, key_match(t));
  }
  std::vector<std::string> others;
  std::string staged;
  for (const std::string& c : e.columns) {
    if (c == t.column) continue;
    others.push_back(c);
    staged += fmt::format("{} AS {}, ", staged_value(e, c), c);
  }
  const std::string partition = others.empty() ? "" : "PARTITION BY " + list(others);
  const std::string same = others.empty() ? "true"
                                          : fmt::format("({}) IS NOT DISTINCT FROM ({})",
                                                        list(others, "l."), list(others, "s."));
  return fmt::format(
      "UPDATE {0} AS t SET {1} = x.safedb_value FROM (SELECT l.safedb_rel, l.safedb_tid, "
      "s.safedb_value FROM (SELECT tableoid AS safedb_rel, ctid AS safedb_tid, {2}{3}row_number() "
      "OVER ({4}) AS safedb_n FROM {0}) l JOIN (SELECT q.*, row_number() OVER ({4}) AS safedb_n "
      "FROM (SELECT {5}{6} AS safedb_value FROM {7} s) q) s ON {8} AND l.safedb_n = s.safedb_n) x "
      "WHERE t.tableoid = x.safedb_rel AND t.ctid = x.safedb_tid",
      e.target, t.column, list(others), others.empty() ? "" : ", ", partition, staged,
      staged_value(e, t.column), e.temp, same);
}

// PostgreSQL adds a column only at the end of its table.
std::string added_last_note(const std::string& table, const std::string& column) {
  return fmt::format(
      "{}: column {} comes back as the table's last column; SELECT * and INSERT without a column "
      "list see the columns in another order than before",
      table, column);
}

}  // namespace

void plan_column(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan) {
  const SavedTable& t = *e.saved;
  const std::string& T = e.target;
  const std::string name = t.digest.qualified();
  const json& column = column_named(t, t.column);
  if (column.empty()) {
    plan.problems.push_back(
        fmt::format("{}: column {} is not in the saved definition; restore a copy with --into",
                    name, t.column));
    return;
  }
  if (std::find(t.key.begin(), t.key.end(), t.column) != t.key.end()) {
    plan.problems.push_back(fmt::format(
        "{}: column {} is part of the primary key; restore a copy with --into", name, t.column));
    return;
  }
  const bool present =
      scalar(conn, fmt::format("SELECT count(*) FROM pg_attribute WHERE "
                               "attrelid = to_regclass({}) AND attnum > 0 AND "
                               "NOT attisdropped AND quote_ident(attname) = {}",
                               util::quote_literal(T), util::quote_literal(t.column))) ==
      std::optional<std::string>("1");
  // The type with the column's own collation, which a new column or a type
  // change would otherwise take from the type.
  const std::string type =
      column.value("type", "") + (column.value("collation", json()).is_string()
                                      ? " COLLATE " + column["collation"].get<std::string>()
                                      : std::string());
  plan_types(conn, e, plan);
  if (t.kind == "AlterTableStmt" && !present && column.value("generated", "") == "s") {
    // A stored generated column is not in the row file: adding it back
    // computes its values from the rest of each row again, with the
    // functions its expression calls (the statement may have dropped them).
    plan_objects(conn, t.definition, name, plan, "functions", "to_regprocedure", "function");
    plan.sql.push_back(
        fmt::format("ALTER TABLE {} ADD COLUMN {}", T, column_sql(t.definition, column)));
    plan.notes.push_back(added_last_note(name, t.column));
    for (std::string& sql : column_comment_and_grants_sql(t.definition, column))
      plan.sql.push_back(std::move(sql));
    return;
  }
  // A sequence the column owned went with it (a serial's, an identity's);
  // an identity column whose type changed back is one again at the end.
  const bool identity = column.value("identity", "") != "";
  const bool added = t.kind == "AlterTableStmt" && !present;
  ColumnSequenceSql sequence;
  if (added || identity) sequence = column_sequence_sql(t.definition, t.column);
  for (std::string& sql : sequence.before)
    plan.sql.push_back(std::move(sql));
  if (added) {
    plan.sql.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", T, t.column, type));
    plan.notes.push_back(added_last_note(name, t.column));
  } else {
    // Back to the saved type, empty, then refilled from the saved rows.
    if (identity)
      plan.sql.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP IDENTITY", T, t.column));
    plan.sql.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", T, t.column));
    plan.sql.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL", T, t.column));
    plan.sql.push_back(
        fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING NULL", T, t.column, type));
  }
  // A new column, or a type change, starts from the type's storage.
  for (std::string& sql : column_options_sql(T, column))
    plan.sql.push_back(std::move(sql));
  plan.sql.push_back(fill_column(e));
  const json& default_value = column.contains("default") ? column["default"] : json();
  if (default_value.is_string() && !default_value.get<std::string>().empty())
    plan.sql.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}", T, t.column,
                                   default_value.get<std::string>()));
  if (column.value("not_null", json("f")) == "t")
    plan.sql.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL", T, t.column));
  for (std::string& sql : sequence.after)
    plan.sql.push_back(std::move(sql));
  // A type change keeps the column's comment and privileges; a dropped
  // column took them with it.
  if (added) {
    for (std::string& sql : column_comment_and_grants_sql(t.definition, column))
      plan.sql.push_back(std::move(sql));
  }
}

void plan_triggers(db::Connection& conn, const RestoreEntry& e, bool disable, RestorePlan& plan) {
  if (!plan.triggers_seen.insert(e.target).second) return;
  // pg_trigger.tgtype: 4 INSERT, 16 UPDATE.
  Result<db::QueryResult> r = conn.exec(fmt::format(
      "SELECT quote_ident(tgname), tgenabled FROM pg_trigger WHERE tgrelid = to_regclass({}) "
      "AND NOT tgisinternal AND tgenabled <> 'D' AND tgtype & 20 <> 0 ORDER BY tgname",
      util::quote_literal(e.target)));
  if (!r || r->rows.empty()) return;
  std::vector<std::string> names;
  for (const auto& row : r->rows) {
    const std::string name = row[0].value_or("");
    const std::string enabled = row[1].value_or("O");
    names.push_back(name);
    if (!disable) continue;
    plan.sql.push_back(fmt::format("ALTER TABLE {} DISABLE TRIGGER {}", e.target, name));
    plan.enable_after.push_back(fmt::format("ALTER TABLE {} ENABLE {}TRIGGER {}", e.target,
                                            enabled == "A"   ? "ALWAYS "
                                            : enabled == "R" ? "REPLICA "
                                                             : "",
                                            name));
  }
  if (!disable) {
    plan.notes.push_back(
        fmt::format("{}: trigger{} {} will fire as rows go back (and may change them, or other "
                    "tables); --disable-triggers keeps {} off",
                    e.saved->digest.qualified(), names.size() == 1 ? "" : "s", list(names),
                    names.size() == 1 ? "it" : "them"));
  }
}

namespace {

// Moves sequence `name` forward to `position` as the restore runs
// (sequence_forward_sql()).
void plan_forward(const std::string& name, const std::string& position, RestorePlan& plan) {
  if (const std::string sql = sequence_forward_sql(name, position); !sql.empty())
    plan.sql.push_back(sql);
  else
    plan.problems.push_back(fmt::format("sequence {}: its saved position is unreadable", name));
}

}  // namespace

void plan_sequences(db::Connection& conn, const RestoreEntry& e, RestorePlan& plan) {
  for (const json& s : e.saved->definition.value("sequences", json::array())) {
    const std::string name = string_field(s, "name");
    const std::string next = string_field(s, "next");
    if (name.empty() || next.empty()) continue;
    Result<std::optional<std::string>> now = sequence_value(conn, name);
    if (!now || !*now) continue;  // gone since: nothing hands out its values
    const std::string saved =
        fmt::format("next value {}, increment {}", next, string_field(s, "increment"));
    if (sequence_ahead(saved, **now)) plan_forward(name, saved, plan);
  }
}

namespace {

// A sequence a statement moved (ALTER SEQUENCE ... RESTART) goes back to
// where it stood, unless it went past that since.
void plan_sequence_value(db::Connection& conn, const SavedObject& o, RestorePlan& plan) {
  Result<std::optional<std::string>> now = sequence_value(conn, o.name);
  if (!now) {
    plan.problems.push_back(fmt::format("sequence {}: {}", o.name, now.error().message()));
    return;
  }
  if (!*now) {
    plan.problems.push_back(fmt::format("sequence {}: it no longer exists", o.name));
    return;
  }
  if (**now == o.definition) return;
  if (sequence_ahead(**now, o.definition)) {
    plan.notes.push_back(fmt::format(
        "sequence {} went past where statement #{} found it ({} then, {} now); it is left as "
        "it is, because the values it handed out since may be in use",
        o.name, o.statement, sequence_next(o.definition), sequence_next(**now)));
    return;
  }
  // (Not the saved `sql`: snapshots taken before it was this statement
  // hold an unconditional ALTER SEQUENCE ... RESTART.)
  plan_forward(o.name, o.definition, plan);
}

}  // namespace

void plan_rows(const RestoreEntry& e, RestorePlan& plan) {
  const SavedTable& t = *e.saved;
  const std::string& T = e.target;
  const std::string C = list(e.columns);
  const std::vector<std::string>& K = t.key;
  // Deleted rows go back in, overwritten ones are reverted by key.
  const bool revert = t.kind == "UpdateStmt" || t.kind == "MergeStmt" || t.kind == "InsertStmt";
  const bool reinsert = t.kind != "UpdateStmt";
  if (K.empty() && revert) {
    plan.problems.push_back(
        fmt::format("{}: rows changed by statement #{} ({}) can only be reverted by primary key, "
                    "and the table has none; restore a copy with --into",
                    t.digest.qualified(), t.statement, t.kind));
    return;
  }
  if (K.empty()) {
    plan.sql.push_back(fmt::format("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {}",
                                   T, C, C, e.temp));
    return;
  }
  // An UPDATE cannot set a GENERATED ALWAYS identity column, and no UPDATE
  // changed one but to its next value (SET ... = DEFAULT): the check
  // afterwards reports such a row.
  std::vector<std::string> rest;
  for (const std::string& c : e.columns) {
    if (std::find(K.begin(), K.end(), c) == K.end() &&
        string_field(column_named(t, c), "identity") != "a")
      rest.push_back(c);
  }
  if (revert && !rest.empty()) {
    plan.sql.push_back(fmt::format(
        "UPDATE {} AS t SET ({}) = ROW({}) FROM {} AS s WHERE {} AND ({}) IS DISTINCT FROM ({})", T,
        list(rest), list(rest, "s."), e.temp, key_match(t), list(e.columns, "t."),
        list(e.columns, "s.")));
  }
  if (reinsert) {
    plan.sql.push_back(fmt::format(
        "INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {} AS s WHERE NOT EXISTS "
        "(SELECT 1 FROM {} AS t WHERE {})",
        T, C, list(e.columns, "s."), e.temp, T, key_match(t)));
  }
}

void plan_extension_rows(const RestoreEntry& e, RestorePlan& plan) {
  const SavedTable& t = *e.saved;
  plan.tables_made.insert(string_field(t.definition, "name"));
  if (!t.key.empty()) {
    plan_rows(e, plan);  // the rows whose key is absent
    return;
  }
  // Without a key, the saved rows the table does not hold, as many times as
  // it does not: the rows the extension's script put back count.
  const std::string C = list(e.columns);
  plan.sql.push_back(fmt::format(
      "INSERT INTO {0} ({1}) OVERRIDING SYSTEM VALUE SELECT {1} FROM {2} EXCEPT ALL SELECT {1} "
      "FROM ONLY {0}",
      e.target, C, e.temp));
}

void plan_view(db::Connection& conn, const SavedView& v, RestorePlan& plan) {
  if (!plan.views_made.insert(v.name).second) return;
  if (relation_exists(conn, v.name)) {
    plan.problems.push_back(fmt::format("{}: a relation of that name exists again", v.name));
    return;
  }
  // A view of a dropped schema that held no table brings the schema back itself.
  plan_schema_as_it_was(conn, v.schema, v.schema_as_it_was, plan);
  for (const std::string& sql : v.sql)
    plan.sql.push_back(sql);
}

void plan_part(db::Connection& conn, const SavedPart& p, RestorePlan& plan) {
  const std::string what =
      fmt::format("{}: {}{} {}", p.relation, p.kind, p.kind == "default" ? " of" : "", p.name);
  if (!relation_exists(conn, p.relation) && plan.tables_made.count(p.relation) == 0 &&
      plan.views_made.count(p.relation) == 0) {
    plan.problems.push_back(fmt::format("{}: the relation no longer exists", what));
    return;
  }
  Result<std::optional<std::string>> now = part_definition(conn, p);
  if (now && *now && **now == p.definition) return;  // back already, as it was
  if (now && *now) {
    plan.problems.push_back(
        fmt::format("{}: it exists again, different from the snapshot's ({})", what, **now));
    return;
  }
  for (const json& extension : p.extensions) {
    if (scalar(conn, fmt::format("SELECT count(*) FROM pg_extension WHERE extname = {}",
                                 util::quote_literal(string_field(extension, "name")))) == "0")
      plan_extension(conn, what, extension, "what it uses", plan);
  }
  plan_objects(conn, json{{"functions", p.functions}}, what, plan, "functions", "to_regprocedure",
               "function");
  for (const std::string& sql : p.sql)
    plan.sql.push_back(sql);
}

void plan_object(db::Connection& conn, const SavedObject& o, RestorePlan& plan) {
  if (o.kind == "sequence value") return plan_sequence_value(conn, o, plan);
  // Extensions are keyed as plan_extension() keys them; the others by
  // their name, as the types and functions of tables and parts are.
  const std::string key = o.kind == "extension" ? "extension " + o.name : o.name;
  if (plan.objects_made.count(key) != 0) return;
  if (o.kind == "schema" && plan.schemas_made.count(o.schema) != 0) return;
  const std::string what = fmt::format("{} {}", o.kind, o.name);
  Result<std::optional<std::string>> now = object_definition(conn, o);
  if (!now) {
    plan.problems.push_back(fmt::format("{}: {}", what, now.error().message()));
    return;
  }
  if (*now && **now == o.definition) return;  // back already, as it was
  // A schema made again since holds what is restored into it as it is
  // (the check afterwards reports an owner or grants that differ).
  if (*now && o.kind == "schema") return;
  if (*now) {
    plan.problems.push_back(
        fmt::format("{}: it exists again, different from the snapshot's ({})", what, **now));
    return;
  }
  if (o.kind != "schema") plan_schema(conn, o.schema, plan);
  // A function's body may name tables this restore has yet to recreate.
  if ((o.kind == "function" || o.kind == "procedure") && !plan.unchecked_bodies) {
    plan.sql.push_back("SET LOCAL check_function_bodies = off");
    plan.unchecked_bodies = true;
  }
  for (const std::string& sql : o.sql)
    plan.sql.push_back(sql);
  plan.objects_made.insert(key);
  if (o.kind == "schema") plan.schemas_made.insert(o.schema);
}

}  // namespace safedb::snapshot::detail
