#include "safedb/snapshot/restore.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "safedb/content/content.h"
#include "safedb/util/sql_quote.h"
#include "snapshot/objects.h"
#include "snapshot/parts.h"
#include "snapshot/restore_steps.h"
#include "snapshot/sequence_value.h"
#include "snapshot/views.h"

namespace safedb::snapshot {
namespace {

using detail::list;
using detail::scalar;
using nlohmann::json;
using Entry = detail::RestoreEntry;

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

// The options of a COPY that reads or writes `t`'s row file format.
const char* copy_options(const SavedTable& t) {
  return t.format == content::CopyFormat::binary ? " (FORMAT binary)" : "";
}

// Within each statement's tables, puts a table before the tables whose
// foreign keys point at it, so that rows go back in an order the keys accept
// (TRUNCATE ... CASCADE saves both sides), and before its partitions and
// inheritance children, which are attached to it. Cycles keep the saved order.
//
// A column goes back the other way round: a child that declared the column
// itself too (it was saved on its own) gets it first, and the parent's then
// merges with it, as when the tables were created.
void order_by_dependencies(std::vector<const SavedTable*>& tables) {
  auto name = [](const SavedTable* t) { return t->definition.value("name", ""); };
  auto inherits = [&](const SavedTable* child, const SavedTable* parent) {
    const json& d = child->definition;
    if (d.value("partition_of", json()) == name(parent)) return true;
    // "inherits": the parents' names joined with ", ".
    if (!d.value("inherits", json()).is_string()) return false;
    const std::string parents = ", " + d["inherits"].get<std::string>() + ", ";
    return parents.find(", " + name(parent) + ", ") != std::string::npos;
  };
  auto references = [&](const SavedTable* from, const SavedTable* to) {
    if (from == to) return false;
    const bool column = !from->column.empty() && from->column == to->column;
    if (inherits(from, to)) return !column;
    if (column && inherits(to, from)) return true;
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
  order_by_dependencies(chosen);
  std::set<std::string> copies;
  for (const SavedTable* t : chosen) {
    Entry e;
    e.saved = t;
    e.temp = fmt::format("pg_temp.safedb_snapshot_{}", entries_.size());
    for (const std::string& c : t->digest.columns)
      e.columns.push_back(column_name(c));
    // A copy is named after the table and statement, and numbered when one
    // statement saved a table twice (two of its columns, say).
    std::string copy = fmt::format("{}_{}", t->digest.name, t->statement);
    for (int n = 2; !copies.insert(copy).second; ++n)
      copy = fmt::format("{}_{}_{}", t->digest.name, t->statement, n);
    e.target = options_.in_place
                   ? t->digest.sql_name()
                   : util::quote_identifier(options_.schema) + "." + util::quote_identifier(copy);
    e.whole = !options_.in_place || t->scope == "table";
    entries_.push_back(std::move(e));
  }
  for (const SavedView& v : manifest_.views) {
    if (!options_.statement || *options_.statement == v.statement) views_.push_back(&v);
  }
  std::stable_sort(views_.begin(), views_.end(), [](const SavedView* a, const SavedView* b) {
    return a->statement > b->statement;
  });
  for (const SavedPart& p : manifest_.parts) {
    if (!options_.statement || *options_.statement == p.statement) parts_.push_back(&p);
  }
  std::stable_sort(parts_.begin(), parts_.end(), [](const SavedPart* a, const SavedPart* b) {
    return a->statement > b->statement;
  });
  for (const SavedObject& o : manifest_.objects) {
    if (!options_.statement || *options_.statement == o.statement) objects_.push_back(&o);
  }
  std::stable_sort(
      objects_.begin(), objects_.end(),
      [](const SavedObject* a, const SavedObject* b) { return a->statement > b->statement; });
}

Restorer::~Restorer() = default;

Result<std::string> Restorer::plan(db::Connection& conn) {
  if (entries_.empty() && views_.empty() && parts_.empty() && objects_.empty()) {
    if (options_.statement) {
      return Error::usage(
          fmt::format("the snapshot holds nothing for statement #{}", *options_.statement));
    }
    nothing_to_do_ = true;  // its statements found nothing to save
    return std::string();
  }
  detail::RestorePlan plan;
  if (options_.in_place) plan.views = views_;
  if (!options_.in_place) {
    if (scalar(conn, fmt::format("SELECT to_regnamespace({}) IS NOT NULL",
                                 util::quote_literal(util::quote_identifier(options_.schema)))) ==
        std::optional<std::string>("t"))
      plan.problems.push_back(
          fmt::format("schema {} exists already; name another with --into", options_.schema));
    plan.sql.push_back("CREATE SCHEMA " + util::quote_identifier(options_.schema));
  }
  for (Entry& e : entries_) {
    if (Status looked = detail::find_missing_types(conn, e); !looked) return looked.error();
  }
  // Schemas, extensions, types and sequences first: the tables may use them.
  auto is_routine = [](const SavedObject* o) {
    return o->kind == "function" || o->kind == "procedure" || o->kind == "aggregate";
  };
  for (const SavedObject* o : objects_) {
    if (!options_.in_place) {
      plan.notes.push_back(
          fmt::format("{} {} (dropped by statement #{}) is created again only by a restore with "
                      "--in-place; its definition is in the snapshot's manifest",
                      o->kind, o->name, o->statement));
    } else if (!is_routine(o)) {
      detail::plan_object(conn, *o, plan);
    }
  }
  for (const Entry& e : entries_) {
    const SavedTable& t = *e.saved;
    if (!options_.in_place) {
      detail::plan_copy(e, plan);
    } else if (t.kind == "DropStmt" && !t.definition.value("extension", "").empty()) {
      detail::plan_extension_rows(e, plan);
    } else if (t.kind == "DropStmt") {
      detail::plan_recreate(conn, e, plan);
    } else if (plan.tables_made.count(t.definition.value("name", "")) == 0 &&
               scalar(conn, fmt::format("SELECT to_regclass({}) IS NOT NULL",
                                        util::quote_literal(e.target))) !=
                   std::optional<std::string>("t")) {
      // (A table a later statement dropped is created again above, first.)
      plan.problems.push_back(fmt::format("{}: the table no longer exists", t.digest.qualified()));
    } else if (scalar(conn, fmt::format("SELECT row_security_active({})",
                                        util::quote_literal(e.target))) ==
               std::optional<std::string>("t")) {
      // The restore's own reads (conflicts, verification) would miss the rows
      // the policies hide, and its writes could be refused or go astray.
      plan.problems.push_back(fmt::format(
          "{}: row-level security applies to this role, so a restore can neither see nor put "
          "back every row; restore as the table's owner or a role with BYPASSRLS, or into a "
          "schema (without --in-place)",
          t.digest.qualified()));
    } else if (t.destroys == "column") {
      detail::plan_triggers(conn, e, options_.disable_triggers, plan);
      detail::plan_column(conn, e, plan);
    } else {
      detail::plan_triggers(conn, e, options_.disable_triggers, plan);
      detail::plan_rows(e, plan);
      detail::plan_sequences(conn, e, plan);
    }
  }
  for (std::string& s : plan.after_tables)
    plan.sql.push_back(std::move(s));
  // Functions and procedures after the tables, which their bodies and
  // signatures may name, and before the views and parts that call them.
  for (const SavedObject* o : objects_) {
    if (options_.in_place && is_routine(o)) detail::plan_object(conn, *o, plan);
  }
  // The views not planned yet (before a column of their row type), last:
  // they select from the tables above.
  for (const SavedView* v : views_) {
    if (!options_.in_place) {
      plan.notes.push_back(fmt::format(
          "{} {} (dropped by statement #{}) is created again only by a restore with --in-place; "
          "its definition is in the snapshot's manifest",
          v->kind, v->name, v->statement));
    } else {
      detail::plan_view(conn, *v, plan);
    }
  }
  for (std::string& s : plan.after_views)
    plan.sql.push_back(std::move(s));
  // The parts of kept tables last: a foreign key among them may point at a
  // table, or a key column, restored above.
  for (const SavedPart* p : parts_) {
    if (options_.in_place) {
      detail::plan_part(conn, *p, plan);
      continue;
    }
    plan.notes.push_back(
        fmt::format("{} {} of {} (dropped by statement #{}) is added again only by a restore with "
                    "--in-place; its definition is in the snapshot's manifest",
                    p->kind, p->name, p->relation, p->statement));
  }
  for (std::string& s : plan.enable_after)
    plan.sql.push_back(std::move(s));
  notes_ = std::move(plan.notes);
  if (!plan.problems.empty()) {
    std::string message = fmt::format("cannot restore run {}: {} problem{}", manifest_.run_id,
                                      plan.problems.size(), plan.problems.size() == 1 ? "" : "s");
    for (const std::string& p : plan.problems)
      message += "\n  - " + p;
    return Error(ExitCode::blocked, message);
  }
  nothing_to_do_ = plan.sql.empty();
  std::string file =
      fmt::format("-- safedb restore of run {} ({}), generated from {}\n", manifest_.run_id,
                  options_.in_place ? "in place" : "a copy", folder_);
  for (const std::string& s : plan.sql)
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
  // Where row-level security would still filter what the restore reads, the
  // query fails instead (plan() refuses those tables up front).
  if (Result<db::QueryResult> r = conn.exec("SET row_security = off"); !r)
    return r.error().within("cannot prepare the restore's session");
  for (const Entry& e : entries_) {
    const SavedTable& t = *e.saved;
    if (Result<db::QueryResult> r = conn.exec(
            fmt::format("CREATE TEMP TABLE {} ({})", e.temp.substr(8), detail::staged_columns(e)));
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
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const Entry& e = *it;
    const SavedTable& t = *e.saved;
    // An earlier statement's snapshot of the same table, restored after
    // this one, changes it again (rows a DELETE took go back into a table
    // a later DROP took): the table can no longer equal this snapshot, and
    // the last restore's check covers what it holds at the end.
    auto later = std::find_if(it + 1, entries_.end(),
                              [&](const Entry& other) { return other.target == e.target; });
    const std::string C = list(e.columns, "t.");
    const std::string match = fmt::format("({}) = ({})", list(t.key, "t."), list(t.key, "s."));
    json result = {{"table", t.digest.qualified()},
                   {"statement", t.statement},
                   {"restored_into", e.target},
                   {"rows", t.digest.rows}};
    const bool by_key = !e.whole && !t.key.empty();
    // Checked by key, only the rows the later restore put back or reverted
    // by the same keys changed again.
    if (later != entries_.end() && by_key &&
        scalar(conn, fmt::format("SELECT EXISTS (SELECT 1 FROM {} AS s JOIN {} AS l ON ({}) = "
                                 "({}))",
                                 e.temp, later->temp, list(t.key, "s."), list(t.key, "l."))) !=
            std::optional<std::string>("t"))
      later = entries_.end();
    // A dropped or emptied table was saved without its inheritance children's rows.
    const char* only = t.destroys == "table" || t.destroys == "schema" ? "ONLY " : "";
    // Hashed the way the snapshot was: in its format, as the columns' types are now.
    // Rows put back into a table without a key are found by their whole
    // content: those of the saved rows the table holds, as many times as it does.
    std::string staged;
    for (const std::string& c : e.columns)
      staged += (staged.empty() ? "" : ", ") + detail::staged_value(e, c);
    const std::string query =
        by_key ? fmt::format(
                     "COPY (SELECT {} FROM {} AS t WHERE EXISTS (SELECT 1 FROM {} AS s "
                     "WHERE {})) TO STDOUT{}",
                     C, e.target, e.temp, match, copy_options(t))
        : !e.whole ? fmt::format(
                         "COPY (SELECT {} FROM {} AS s INTERSECT ALL SELECT {} FROM {} AS "
                         "t) TO STDOUT{}",
                         staged, e.temp, C, e.target, copy_options(t))
                   : fmt::format("COPY (SELECT {} FROM {}{} AS t) TO STDOUT{}", C, only, e.target,
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
    if (!same && later != entries_.end()) {
      // The saved rows not there as saved, and of those, the ones whose
      // key the later restore did not put back or revert.
      const std::string missing_rows =
          fmt::format("(SELECT {} FROM {} AS s EXCEPT ALL SELECT {} FROM {}{} AS t) x",
                      list(e.columns, "s."), e.temp, C, only, e.target);
      const std::string missing =
          scalar(conn, "SELECT count(*) FROM " + missing_rows).value_or("?");
      const std::string unexplained =
          missing == "0" || t.key.empty()
              ? missing
              : scalar(conn,
                       fmt::format("SELECT count(*) FROM {} WHERE NOT EXISTS (SELECT 1 FROM "
                                   "{} AS l WHERE ({}) = ({}))",
                                   missing_rows, later->temp, list(t.key, "x."), list(t.key, "l.")))
                    .value_or("?");
      result["result"] = missing == "0"       ? "present"
                         : unexplained == "0" ? "changed after"
                                              : "differs";
      result["saved_rows_missing"] = missing;
      result["why"] = fmt::format(
          "the restore of statement #{} changed the table after it{}", later->saved->statement,
          missing == "0"       ? ", and every row saved here is there"
          : unexplained == "0" ? ", and put back the rows saved here that are not there"
                               : fmt::format("; {} rows saved here are not there, which it does "
                                             "not explain",
                                             unexplained));
      if (unexplained != "0") ok_ = false;
      tables.push_back(result);
      continue;
    }
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
  // A view is back when its definition reads as the saved one did, and a
  // materialized view's rows hash as they did before the statement.
  json views = json::array();
  for (const SavedView* v : views_) {
    json result = {{"view", v->name}, {"kind", v->kind}, {"statement", v->statement}};
    if (!options_.in_place) {
      result["result"] = "not restored";
      result["why"] = "views are created again only by a restore with --in-place";
      views.push_back(result);
      continue;
    }
    Result<std::optional<std::string>> now = view_definition(conn, v->name);
    bool same = now && *now == v->definition;
    if (!now) result["why"] = now.error().message();
    if (now && !*now) result["why"] = "it does not exist";
    if (same && v->rows) {
      // Refreshed from the restored tables: the same rows unless it was stale.
      content::TableDigest rows;
      util::Progress quiet;
      Status hashed =
          content::hash_copy(conn, rows_copy(v->name, v->rows_format), v->rows_format, rows, quiet);
      same = hashed && rows.rows == v->rows->rows && rows.hash == v->rows->hash;
      result["rows"] = v->rows->rows;
      if (hashed) result["rows_found"] = rows.rows;
      if (!hashed) {
        result["why"] = hashed.error().message();
      } else if (!same) {
        result["why"] = fmt::format(
            "its rows differ from those it held before the statement ({} rows then, {} now): "
            "refreshed from the tables as they are, it was stale then or they changed since",
            v->rows->rows, rows.rows);
      }
    }
    result["result"] = same ? "identical" : "differs";
    if (!same) ok_ = false;
    views.push_back(result);
  }
  // A part is back when the catalog prints it as it did before the statement.
  json parts = json::array();
  for (const SavedPart* p : parts_) {
    json result = {{"relation", p->relation},
                   {"kind", p->kind},
                   {"name", p->name},
                   {"statement", p->statement}};
    if (!options_.in_place) {
      result["result"] = "not restored";
      result["why"] = "parts of kept tables are added again only by a restore with --in-place";
      parts.push_back(result);
      continue;
    }
    Result<std::optional<std::string>> now = part_definition(conn, *p);
    const bool same = now && *now && **now == p->definition;
    if (!now) result["why"] = now.error().message();
    if (now && !*now) result["why"] = "it does not exist";
    if (now && *now && !same) result["why"] = "its definition now: " + **now;
    result["result"] = same ? "identical" : "differs";
    if (!same) ok_ = false;
    parts.push_back(result);
  }
  // An object is back when the catalog prints it as it did before the statement.
  json objects = json::array();
  for (const SavedObject* o : objects_) {
    json result = {{"kind", o->kind}, {"name", o->name}, {"statement", o->statement}};
    if (!options_.in_place) {
      result["result"] = "not restored";
      result["why"] =
          "schemas, functions, types, sequences and extensions are created again only by "
          "a restore with --in-place";
      objects.push_back(result);
      continue;
    }
    const bool moved = o->kind == "sequence value";
    Result<std::optional<std::string>> now =
        moved ? sequence_value(conn, o->name) : object_definition(conn, *o);
    if (moved && now && *now && sequence_ahead(**now, o->definition)) {
      // Left as it is: see plan_sequence_value().
      result["result"] = "ahead";
      result["why"] =
          fmt::format("it went past the snapshot's position since: {} now", sequence_next(**now));
      objects.push_back(result);
      continue;
    }
    const bool same = now && *now && **now == o->definition;
    if (!now) result["why"] = now.error().message();
    if (now && !*now) result["why"] = "it does not exist";
    if (now && *now && !same) result["why"] = "its definition now: " + **now;
    result["result"] = same ? "identical" : "differs";
    if (!same) ok_ = false;
    objects.push_back(result);
  }
  json out = {{"restore_of", manifest_.run_id},
              {"mode", options_.in_place ? "in-place" : "copy"},
              {"identical", ok_},
              {"tables", tables}};
  if (!views_.empty()) out["views"] = std::move(views);
  if (!parts_.empty()) out["parts"] = std::move(parts);
  if (!objects_.empty()) out["objects"] = std::move(objects);
  return out;
}

}  // namespace safedb::snapshot
