#include "safedb/snapshot/restore.h"
#include "safedb/util/sql_quote.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "safedb/content/content.h"
#include "snapshot/definition.h"

namespace safedb::snapshot {
namespace {

using nlohmann::json;

// The SQL name at the start of "name type" (as quote_ident printed it).
std::string column_name(const std::string& column) {
  if (!column.starts_with('"')) return column.substr(0, column.find(' '));
  for (std::size_t i = 1; i < column.size(); ++i) {
    if (column[i] != '"') continue;
    if (i + 1 < column.size() && column[i + 1] == '"') {
      ++i;
      continue;
    }
    return column.substr(0, i + 1);
  }
  return column;
}

std::string list(const std::vector<std::string>& names, std::string_view prefix = "") {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + std::string(prefix) + n;
  return out;
}

// The options of a COPY that reads or writes `t`'s row file format.
const char* copy_options(const SavedTable& t) {
  return t.format == content::CopyFormat::binary ? " (FORMAT binary)" : "";
}

const json* column_definition(const SavedTable& t) {
  if (!t.definition.contains("columns") || !t.definition["columns"].is_array()) return nullptr;
  for (const json& c : t.definition["columns"]) {
    if (c.value("name", "") == t.column) return &c;
  }
  return nullptr;
}

std::optional<std::string> scalar(db::Connection& conn, const std::string& sql) {
  Result<db::QueryResult> r = conn.exec(sql);
  if (!r || r->rows.empty() || r->columns.empty()) return std::nullopt;
  return r->at(0, 0);
}

// Within each statement's tables, puts a table before the tables whose
// foreign keys point at it, so that rows go back in an order the keys accept
// (TRUNCATE ... CASCADE saves both sides). Cycles keep the saved order.
void order_by_foreign_keys(std::vector<const SavedTable*>& tables) {
  auto name = [](const SavedTable* t) { return t->definition.value("name", ""); };
  auto references = [&](const SavedTable* from, const SavedTable* to) {
    if (!to->definition.contains("referenced_by")) return false;
    for (const json& r : to->definition["referenced_by"]) {
      if (r.value("table", "") == name(from) && from != to) return true;
    }
    return false;
  };
  for (std::size_t begin = 0; begin < tables.size();) {
    std::size_t end = begin;
    while (end < tables.size() && tables[end]->statement == tables[begin]->statement)
      ++end;
    std::vector<const SavedTable*> pending(tables.begin() + static_cast<std::ptrdiff_t>(begin),
                                           tables.begin() + static_cast<std::ptrdiff_t>(end));
    std::size_t out = begin;
    while (!pending.empty()) {
      auto ready = std::find_if(pending.begin(), pending.end(), [&](const SavedTable* t) {
        return std::none_of(pending.begin(), pending.end(),
                            [&](const SavedTable* other) { return references(t, other); });
      });
      if (ready == pending.end()) ready = pending.begin();  // a cycle
      tables[out++] = *ready;
      pending.erase(ready);
    }
    begin = end;
  }
}

}  // namespace

struct Restorer::Entry {
  const SavedTable* saved = nullptr;
  std::string temp;    // pg_temp table holding the saved rows
  std::string target;  // SQL name of the table restored into
  std::vector<std::string> columns;
  bool whole = false;  // the target should now equal the snapshot as a whole
};

Restorer::Restorer(Manifest manifest, std::string folder, RestoreOptions options)
    : manifest_(std::move(manifest)), folder_(std::move(folder)), options_(std::move(options)) {
  if (options_.schema.empty()) options_.schema = "safedb_restore_" + manifest_.run_id.substr(0, 24);
  // Undo the last change first: a table dropped after a DELETE comes back
  // before the deleted rows go into it.
  std::vector<const SavedTable*> chosen;
  for (const SavedTable& t : manifest_.tables) {
    if (!options_.statement || *options_.statement == t.statement) chosen.push_back(&t);
  }
  std::stable_sort(chosen.begin(), chosen.end(), [](const SavedTable* a, const SavedTable* b) {
    return a->statement > b->statement;
  });
  order_by_foreign_keys(chosen);
  for (const SavedTable* t : chosen) {
    Entry e;
    e.saved = t;
    e.temp = fmt::format("pg_temp.safedb_snapshot_{}", entries_.size());
    for (const std::string& c : t->digest.columns)
      e.columns.push_back(column_name(c));
    e.target = options_.in_place
                   ? t->digest.sql_name()
                   : util::quote_identifier(options_.schema) + "." +
                         util::quote_identifier(fmt::format("{}_{}", t->digest.name, t->statement));
    e.whole = !options_.in_place || t->scope == "table";
    entries_.push_back(std::move(e));
  }
}

Restorer::~Restorer() = default;

Result<std::string> Restorer::plan(db::Connection& conn) {
  if (entries_.empty()) {
    return Error::usage(
        options_.statement
            ? fmt::format("the snapshot holds nothing for statement #{}", *options_.statement)
            : "the snapshot holds no tables");
  }
  std::vector<std::string> problems;
  std::vector<std::string> sql;
  auto exists = [&](const std::string& regclass) {
    return scalar(conn, fmt::format("SELECT to_regclass({}) IS NOT NULL",
                                    util::quote_literal(regclass))) ==
           std::optional<std::string>("t");
  };
  if (!options_.in_place) {
    if (scalar(conn, fmt::format("SELECT to_regnamespace({}) IS NOT NULL",
                                 util::quote_literal(util::quote_identifier(options_.schema)))) ==
        std::optional<std::string>("t"))
      problems.push_back(
          fmt::format("schema {} exists already; name another with --into", options_.schema));
    sql.push_back("CREATE SCHEMA " + util::quote_identifier(options_.schema));
  }
  std::set<std::string> schemas_made;
  for (const Entry& e : entries_) {
    const SavedTable& t = *e.saved;
    const std::string name = t.digest.qualified();
    const std::string& T = e.target;
    const std::string C = list(e.columns);
    if (!options_.in_place) {
      std::string columns;
      for (const std::string& c : t.digest.columns)
        columns += (columns.empty() ? "" : ", ") + c;
      sql.push_back(fmt::format("CREATE TABLE {} ({})", T, columns));
      sql.push_back(fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", T, C, C, e.temp));
      continue;
    }
    const bool recreate = t.kind == "DropStmt";
    const std::vector<std::string>& K = t.key;
    std::vector<std::string> rest;
    for (const std::string& c : e.columns) {
      if (std::find(K.begin(), K.end(), c) == K.end()) rest.push_back(c);
    }
    const std::string match = fmt::format("({}) = ({})", list(K, "t."), list(K, "s."));
    if (recreate) {
      if (exists(T)) {
        problems.push_back(
            fmt::format("{}: a table of that name exists again; restore a copy "
                        "with --into to compare",
                        name));
        continue;
      }
      if (t.destroys == "schema" && schemas_made.insert(t.digest.schema).second)
        sql.push_back("CREATE SCHEMA IF NOT EXISTS " + util::quote_identifier(t.digest.schema));
      for (std::string& s : create_table_sql(t.definition))
        sql.push_back(std::move(s));
      sql.push_back(fmt::format("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {}", T,
                                C, C, e.temp));
      json definition = t.definition;
      json kept = json::array();
      for (const json& r : definition.value("referenced_by", json::array())) {
        const std::string other = r.value("table", "");
        const bool still_there =
            scalar(conn, fmt::format("SELECT count(*) FROM pg_constraint "
                                     "WHERE conrelid = to_regclass({}) AND "
                                     "quote_ident(conname) = {}",
                                     util::quote_literal(other),
                                     util::quote_literal(r.value("name", "")))) ==
            std::optional<std::string>("1");
        if (exists(other) && !still_there) kept.push_back(r);
      }
      definition["referenced_by"] = kept;
      for (std::string& s : finish_table_sql(definition))
        sql.push_back(std::move(s));
      continue;
    }
    if (!exists(T)) {
      problems.push_back(fmt::format("{}: the table no longer exists", name));
      continue;
    }
    if (t.destroys == "column") {
      const json* column = column_definition(t);
      const bool present =
          scalar(conn, fmt::format("SELECT count(*) FROM pg_attribute WHERE "
                                   "attrelid = to_regclass({}) AND attnum > 0 AND "
                                   "NOT attisdropped AND quote_ident(attname) = {}",
                                   util::quote_literal(T), util::quote_literal(t.column))) ==
          std::optional<std::string>("1");
      const bool dropped = t.kind == "AlterTableStmt" && !present;
      if (K.empty() || column == nullptr) {
        problems.push_back(
            fmt::format("{}: column {} can only be put back by primary key, and "
                        "the table has none; restore a copy with --into",
                        name, t.column));
        continue;
      }
      if (std::find(K.begin(), K.end(), t.column) != K.end()) {
        problems.push_back(
            fmt::format("{}: column {} is part of the primary key; restore a copy "
                        "with --into",
                        name, t.column));
        continue;
      }
      const std::string type = column->value("type", "");
      if (dropped) {
        sql.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", T, t.column, type));
      } else {
        sql.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", T, t.column));
        sql.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL", T, t.column));
        sql.push_back(
            fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING NULL", T, t.column, type));
      }
      sql.push_back(fmt::format("UPDATE {} AS t SET {} = s.{} FROM {} AS s WHERE {}", T, t.column,
                                t.column, e.temp, match));
      const json& default_value = column->contains("default") ? (*column)["default"] : json();
      if (default_value.is_string() && !default_value.get<std::string>().empty())
        sql.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}", T, t.column,
                                  default_value.get<std::string>()));
      if (column->value("not_null", json("f")) == "t")
        sql.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL", T, t.column));
      continue;
    }
    // Rows: deleted ones go back in, overwritten ones are reverted by key.
    const bool revert = t.kind == "UpdateStmt" || t.kind == "MergeStmt" || t.kind == "InsertStmt";
    const bool reinsert = t.kind != "UpdateStmt";
    if (K.empty() && revert) {
      problems.push_back(
          fmt::format("{}: rows changed by statement #{} ({}) can only be reverted "
                      "by primary key, and the table has none; restore a copy with "
                      "--into",
                      name, t.statement, t.kind));
      continue;
    }
    if (K.empty()) {
      sql.push_back(fmt::format("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {}", T,
                                C, C, e.temp));
      continue;
    }
    if (revert && !rest.empty()) {
      sql.push_back(fmt::format(
          "UPDATE {} AS t SET ({}) = ROW({}) FROM {} AS s WHERE {} AND ({}) IS DISTINCT FROM ({})",
          T, list(rest), list(rest, "s."), e.temp, match, list(e.columns, "t."),
          list(e.columns, "s.")));
    }
    if (reinsert) {
      sql.push_back(fmt::format(
          "INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {} AS s WHERE NOT EXISTS "
          "(SELECT 1 FROM {} AS t WHERE {})",
          T, C, list(e.columns, "s."), e.temp, T, match));
    }
  }
  if (!problems.empty()) {
    std::string message = fmt::format("cannot restore run {}: {} problem{}", manifest_.run_id,
                                      problems.size(), problems.size() == 1 ? "" : "s");
    for (const std::string& p : problems)
      message += "\n  - " + p;
    return Error(ExitCode::blocked, message);
  }
  std::string file =
      fmt::format("-- safedb restore of run {} ({}), generated from {}\n", manifest_.run_id,
                  options_.in_place ? "in place" : "a copy", folder_);
  for (const std::string& s : sql)
    file += s + ";\n";
  return file;
}

Status Restorer::check_identity(const db::TargetIdentity& identity) const {
  if (identity.system_identifier != manifest_.target.system_identifier ||
      identity.database != manifest_.target.database) {
    return Error(
        ExitCode::blocked,
        fmt::format("the snapshot of run {} was taken on cluster {} database \"{}\"; this "
                    "is cluster {} database \"{}\": refusing to restore it here",
                    manifest_.run_id, manifest_.target.system_identifier, manifest_.target.database,
                    identity.system_identifier, identity.database));
  }
  return {};
}

Status Restorer::prepare(db::Connection& conn, const db::TargetIdentity& identity) {
  if (Status same = check_identity(identity); !same) return same;
  if (Status pinned = content::pin_text_output(conn); !pinned) return pinned;
  for (const Entry& e : entries_) {
    const SavedTable& t = *e.saved;
    std::string columns;
    for (const std::string& c : t.digest.columns)
      columns += (columns.empty() ? "" : ", ") + c;
    if (Result<db::QueryResult> r =
            conn.exec(fmt::format("CREATE TEMP TABLE {} ({})", e.temp.substr(8), columns));
        !r) {
      return r.error().within(fmt::format("cannot stage the rows of {}", t.digest.qualified()));
    }
    std::ifstream in((std::filesystem::path(folder_) / t.file).string(), std::ios::binary);
    if (!in) return Error::input(fmt::format("{}/{}: cannot read it", folder_, t.file));
    util::Progress progress(stderr, options_.progress, "load " + t.digest.qualified(),
                            t.digest.bytes);
    Result<std::int64_t> loaded =
        conn.copy_in(fmt::format("COPY {} FROM STDIN{}", e.temp, copy_options(t)),
                     [&](std::string& chunk) -> Result<bool> {
                       chunk.resize(1 << 16);
                       in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
                       chunk.resize(static_cast<std::size_t>(in.gcount()));
                       progress.advance(chunk.size());
                       if (in.bad())
                         return Error::input(fmt::format("{}/{}: read error", folder_, t.file));
                       return !chunk.empty();
                     });
    if (!loaded) return loaded.error().within(fmt::format("cannot load {}/{}", folder_, t.file));
    if (*loaded != t.digest.rows) {
      return Error(ExitCode::no, fmt::format("{}/{}: {} rows loaded, the manifest says {}", folder_,
                                             t.file, *loaded, t.digest.rows));
    }
  }
  return {};
}

json Restorer::verify(db::Connection& conn) {
  ok_ = true;
  json tables = json::array();
  for (const Entry& e : entries_) {
    const SavedTable& t = *e.saved;
    const std::string C = list(e.columns, "t.");
    const std::string match = fmt::format("({}) = ({})", list(t.key, "t."), list(t.key, "s."));
    json result = {{"table", t.digest.qualified()},
                   {"statement", t.statement},
                   {"restored_into", e.target},
                   {"rows", t.digest.rows}};
    const bool by_key = !e.whole && !t.key.empty();
    // Hashed the way the snapshot was: in its format, as the columns' types are now.
    const std::string query =
        by_key ? fmt::format(
                     "COPY (SELECT {} FROM {} AS t WHERE EXISTS (SELECT 1 FROM {} AS s "
                     "WHERE {})) TO STDOUT{}",
                     C, e.target, e.temp, match, copy_options(t))
               : fmt::format("COPY (SELECT {} FROM {} AS t) TO STDOUT{}", C, e.target,
                             copy_options(t));
    content::TableDigest now;
    util::Progress quiet;
    if (Status hashed = content::hash_copy(conn, query, t.format, now, quiet); !hashed) {
      result["result"] = "not compared";
      result["why"] = hashed.error().message();
      ok_ = false;
      tables.push_back(result);
      continue;
    }
    const bool same = now.hash == t.digest.hash && now.rows == t.digest.rows;
    result["result"] = same ? "identical" : "differs";
    result["hash"] = now.hash;
    result["rows_found"] = now.rows;
    if (!same) {
      ok_ = false;
      // What is missing or different, as far as the saved rows go.
      const std::string missing =
          t.key.empty() ? fmt::format(
                              "SELECT count(*) FROM (SELECT {} FROM {} AS s EXCEPT ALL SELECT {} "
                              "FROM {} AS t) x",
                              list(e.columns, "s."), e.temp, C, e.target)
                        : fmt::format(
                              "SELECT count(*) FROM {} AS s WHERE NOT EXISTS (SELECT 1 FROM {} AS "
                              "t WHERE {})",
                              e.temp, e.target, match);
      result["saved_rows_missing"] = scalar(conn, missing).value_or("?");
      if (!t.key.empty()) {
        Result<db::QueryResult> changed = conn.exec(fmt::format(
            "SELECT ({})::text FROM {} AS s JOIN {} AS t ON {} WHERE ({}) IS DISTINCT FROM ({}) "
            "LIMIT 6",
            list(t.key, "s."), e.temp, e.target, match, C, list(e.columns, "s.")));
        if (changed) {
          json keys = json::array();
          for (const auto& row : changed->rows)
            keys.push_back(row[0].value_or(""));
          result["conflicting_keys"] = keys;
        }
      }
    }
    tables.push_back(result);
  }
  return {{"restore_of", manifest_.run_id},
          {"mode", options_.in_place ? "in-place" : "copy"},
          {"identical", ok_},
          {"tables", tables}};
}

}  // namespace safedb::snapshot
