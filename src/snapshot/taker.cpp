#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "safedb/crypto/hash.h"
#include "safedb/snapshot/snapshot.h"
#include "safedb/util/sql_quote.h"
#include "safedb/util/sync.h"
#include "safedb/util/utc_time.h"
#include "snapshot/cascade.h"
#include "snapshot/dropped.h"
#include "snapshot/files.h"
#include "snapshot/objects.h"
#include "snapshot/parts.h"
#include "snapshot/row_file.h"
#include "snapshot/sequence_value.h"
#include "snapshot/side_session.h"
#include "snapshot/taker_table.h"
#include "snapshot/views.h"

namespace safedb::snapshot {
namespace {

namespace fs = std::filesystem;

// A table the statement will touch: its oid, kind and SQL name.
struct Relation {
  std::string oid;
  std::string relkind;
  std::string schema;
  std::string name;
  bool has_children = false;  // inheritance children that are not partitions
};

// The relations `d` names, resolved as the statement will resolve them.
Result<std::vector<Relation>> resolve(db::Connection& conn, const sql::Statement& st,
                                      const sql::Destruction& d) {
  std::string where;
  if (d.kind == sql::Destruction::Kind::type || d.kind == sql::Destruction::Kind::extension ||
      d.kind == sql::Destruction::Kind::view || d.kind == sql::Destruction::Kind::sequence ||
      d.kind == sql::Destruction::Kind::function ||
      d.kind == sql::Destruction::Kind::sequence_value) {
    return std::vector<Relation>{};  // no table of its own: see save_dropped_with()
  } else if (d.kind == sql::Destruction::Kind::schema) {
    where = fmt::format("c.relnamespace = to_regnamespace({}) AND c.relkind IN ('r', 'p', 'f')",
                        util::quote_literal(d.relation));
  } else if (st.kind == "TruncateStmt" && (d.cascade || !d.only)) {
    // TRUNCATE empties inheritance children too, and with CASCADE every
    // table whose foreign keys point at a truncated one.
    where = fmt::format(
        "c.oid IN (WITH RECURSIVE t(oid) AS (SELECT to_regclass({0})::oid UNION "
        "SELECT x.oid FROM t, LATERAL (SELECT i.inhrelid FROM pg_inherits i "
        "WHERE i.inhparent = t.oid AND {1} UNION SELECT k.conrelid FROM pg_constraint k "
        "WHERE k.confrelid = t.oid AND k.contype = 'f' AND {2}) x(oid)) SELECT oid FROM t)",
        util::quote_literal(d.relation), d.only ? "false" : "true", d.cascade ? "true" : "false");
  } else {
    where = fmt::format("c.oid = to_regclass({})", util::quote_literal(d.relation));
  }
  Result<db::QueryResult> r = conn.exec(fmt::format(
      "SELECT c.oid::text, c.relkind::text, n.nspname, c.relname, EXISTS (SELECT 1 FROM "
      "pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid WHERE i.inhparent = c.oid AND NOT "
      "k.relispartition) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {} "
      "ORDER BY n.nspname, c.relname",
      where));
  if (!r) return r.error();
  std::vector<Relation> out;
  for (const auto& row : r->rows) {
    out.push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or(""),
                   row[3].value_or(""), row[4].value_or("") == "t"});
  }
  return out;
}

// Why a table is saved whole when foreign keys lead back to it.
constexpr const char* kLoops =
    "foreign keys that change rows along with the statement lead back to a table already "
    "reached, so the rows cannot be selected by a predicate";

// The statement's rows of its table, as SQL.
RowSource rows_of(const sql::Destruction& d) {
  return {(d.only ? "ONLY " : "") + d.relation + (d.alias.empty() ? "" : " " + d.alias), d.where};
}

// How the statement changes those rows.
RowChange change_of(const sql::Statement& st, const sql::Destruction& d) {
  RowChange change;
  if (st.kind == "DeleteStmt") {
    change.deletes = true;
  } else if (st.kind == "UpdateStmt") {
    change.updates = d.updated_columns;
  } else {  // MERGE, INSERT ... ON CONFLICT DO UPDATE
    change.deletes = st.kind == "MergeStmt";
    change.updates = std::nullopt;
  }
  return change;
}

}  // namespace

bool may_read_alongside(const sql::Statement& st) {
  if (st.destroys.size() != 1) return false;
  const sql::Destruction& d = st.destroys.front();
  return d.kind == sql::Destruction::Kind::rows && (d.where.empty() || d.where_in_any_session);
}

std::string unsnapshottable(const sql::Statement& st) {
  if (!st.unsnapshottable.empty()) return st.unsnapshottable;
  if (st.destroys.empty() && st.effects.has(sql::Effect::opaque))
    return "what an opaque statement destroys cannot be known before it runs";
  return "";
}

Taker::Taker(std::string folder, std::string run_id, db::TargetIdentity target,
             std::vector<int> statements, std::optional<std::uint64_t> max_size, bool progress,
             SessionOpener open_side)
    : folder_(std::move(folder)),
      run_id_(std::move(run_id)),
      target_(std::move(target)),
      statements_(std::move(statements)),
      max_size_(max_size),
      progress_(progress) {
  manifest_.run_id = run_id_;
  manifest_.target = target_;
  if (open_side) side_ = std::make_unique<SideSession>(std::move(open_side));
}

Taker::~Taker() = default;

std::optional<db::DbError> Taker::refuse(std::string message) {
  blocked_ = message;
  return snapshot_error(std::move(message),
                        "take a restore-verified backup (safedb backup create, then verify) "
                        "and change the policy's snapshot requirement for this run");
}

std::optional<db::DbError> Taker::before_statement(db::Connection& conn, const sql::Statement& st) {
  // An importer of the transaction's snapshot would not be inside its savepoint.
  if (st.kind == "TransactionStmt") savepoint_ = true;
  if (std::find(statements_.begin(), statements_.end(), st.index) == statements_.end())
    return std::nullopt;
  if (const std::string why = unsnapshottable(st); !why.empty())
    return refuse(fmt::format("statement #{} cannot be snapshotted: {}", st.index, why));
  for (const sql::Destruction& d : st.destroys) {
    Result<std::vector<Relation>> relations = resolve(conn, st, d);
    if (!relations) return conn.last_error();
    for (const Relation& rel : *relations) {
      const bool rows = d.kind == sql::Destruction::Kind::rows;
      // A partitioned table holds no rows of its own: TRUNCATE empties its
      // partitions (each saved as a table here), DROP saves its definition,
      // to create it again before its partitions are attached to it.
      if (rel.relkind == "p" && st.kind == "TruncateStmt") continue;
      if (rel.relkind != "r" && rel.relkind != "p") {
        return refuse(fmt::format(
            "statement #{}: {}.{} is a {} and cannot be snapshotted as a table", st.index,
            rel.schema, rel.name, rel.relkind == "f" ? "foreign table" : "relation"));
      }
      // Rows read through the parent go back into the parent, except those an
      // UPDATE changed, which are reverted where they are (by key).
      if (rows && rel.has_children && !d.only && st.kind != "UpdateStmt") {
        return refuse(
            fmt::format("statement #{}: {}.{} has inheritance children, and rows a snapshot "
                        "reads through it would go back into it, not where they were",
                        st.index, rel.schema, rel.name));
      }
      // Rows of other tables its foreign keys delete or change with it.
      Cascades cascades;
      sql::Destruction own = d;
      if (rows) {
        Result<Cascades> followed =
            follow_foreign_keys(conn, rel.oid, rows_of(d), change_of(st, d));
        if (!followed) {
          if (conn.last_error()) return conn.last_error();
          return refuse(fmt::format("statement #{}: {}", st.index, followed.error().message()));
        }
        cascades = std::move(*followed);
        if (cascades.loops) {
          own.where.clear();
          own.whole_because = kLoops;
        }
      }
      auto read = std::make_unique<TableRead>();
      const std::string mode = rows ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE";
      if (std::optional<db::DbError> e = prepare_table(conn, st, own, rel.oid, mode, *read))
        return e;
      std::vector<std::unique_ptr<TableRead>> reached;
      for (const CascadedTable& t : cascades.tables) {
        reached.push_back(std::make_unique<TableRead>());
        if (std::optional<db::DbError> e =
                prepare_cascaded(conn, st, t, cascades.loops, *reached.back()))
          return e;
      }
      // Read on the second session while the statement runs, when it can join...
      std::optional<db::DbError> failed;
      if (relations->size() == 1 && reached.empty() && join_side(conn, st, d, *read, failed)) {
        ++read_alongside_;
        pending_ = std::move(read);
        side_->start([this, r = pending_.get()](db::Connection& side) { read_rows(side, *r); });
        continue;
      }
      if (failed) return failed;
      // ... else here, before it.
      read_rows(conn, *read);
      if (std::optional<db::DbError> e = finish_table(*read)) return e;
      for (const std::unique_ptr<TableRead>& other : reached) {
        read_rows(conn, *other);
        if (std::optional<db::DbError> e = finish_table(*other)) return e;
      }
    }
  }
  // A procedure named by all its arguments is not found by its input ones,
  // as the snapshot looks for it: it would go unsaved.
  for (const sql::Destruction& d : st.destroys) {
    if (d.kind != sql::Destruction::Kind::function || !d.routine || d.relation.back() != ')')
      continue;
    Result<db::QueryResult> found = conn.exec(fmt::format(
        "SELECT to_regprocedure({0}) IS NULL AND EXISTS (SELECT 1 FROM pg_proc WHERE proname = "
        "(SELECT n[array_upper(n, 1)] FROM parse_ident({0}, false) n))",
        util::quote_literal(d.relation)));
    if (!found) return conn.last_error();
    if (found->at(0, 0) == std::optional<std::string>("t")) {
      return refuse(fmt::format(
          "statement #{}: no routine {} takes these input arguments; if the list holds OUT "
          "arguments, name the procedure by its input arguments alone",
          st.index, d.relation));
    }
  }
  // Where the sequences it restarts stand.
  for (const sql::Destruction& d : st.destroys) {
    if (d.kind != sql::Destruction::Kind::sequence_value) continue;
    // The sequence as the statement finds it: by its name (SQL, or setval()'s
    // text, read the same way), or a column's.
    Result<db::QueryResult> found = conn.exec(
        d.column.empty()
            ? fmt::format("SELECT to_regclass({})::text", util::quote_literal(d.relation))
            : fmt::format("SELECT pg_get_serial_sequence({}, {})", util::quote_literal(d.relation),
                          util::quote_literal(d.column)));
    if (!found) return conn.last_error();
    const std::string name = found->at(0, 0).value_or("");
    if (name.empty()) continue;  // no such sequence: the statement fails, or does nothing
    Result<SavedObject> position = read_sequence_value(conn, st.index, name);
    if (!position) {
      if (conn.last_error()) return conn.last_error();
      return refuse(fmt::format("statement #{}: {}", st.index, position.error().message()));
    }
    manifest_.objects.push_back(std::move(*position));
  }
  if (st.kind == "DropStmt" || st.kind == "AlterTableStmt") return save_dropped_with(conn, st);
  return std::nullopt;
}

std::optional<db::DbError> Taker::save_dropped_with(db::Connection& conn,
                                                    const sql::Statement& st) {
  // Functions, types, sequences and extensions it drops; anything else
  // without rows it drops cannot be saved, and blocks the run.
  Result<DroppedObjects> objects = read_objects(conn, st);
  if (!objects)
    return conn.last_error() ? conn.last_error() : snapshot_error(objects.error().message());
  if (!objects->unsaved.empty()) {
    std::string listed;
    for (const std::string& o : objects->unsaved)
      listed += (listed.empty() ? "" : ", ") + o;
    return refuse(
        fmt::format("statement #{} also drops {}, which a snapshot cannot save", st.index, listed));
  }
  Result<std::vector<DroppedObject>> dropped = dropped_with(conn, st);
  if (!dropped) return conn.last_error();
  std::vector<std::string> views;
  for (const DroppedObject& o : *dropped) {
    if (o.relkind == "v" || o.relkind == "m") {
      views.push_back(o.oid);
      continue;
    }
    // A column's drop takes views with it, never tables.
    if (st.kind != "DropStmt") continue;
    // A partitioned table dropped whole is saved as its definition, a column
    // of one with the rows of all its partitions.
    if (o.relkind != "r" && o.relkind != "p") {
      const char* what = o.relkind == "c" ? "composite type" : "foreign table";
      return refuse(fmt::format(
          "statement #{} also drops {} of {} {}.{}, which cannot be "
          "snapshotted",
          st.index, o.column.empty() ? "all" : "column " + o.column, what, o.schema, o.name));
    }
    sql::Destruction d;
    d.kind = o.column.empty() ? sql::Destruction::Kind::table : sql::Destruction::Kind::column;
    d.relation = util::quote_identifier(o.schema) + "." + util::quote_identifier(o.name);
    d.column = o.column;
    TableRead read;
    if (std::optional<db::DbError> e = prepare_table(conn, st, d, o.oid, "ACCESS EXCLUSIVE", read))
      return e;
    SavedTable& saved = read.saved;
    std::string why;
    if (o.column.empty()) {
      why = o.dependant.empty() ? "the statement drops it too, as a dependant of what it names"
                                : fmt::format("the statement drops it too, as {}", o.dependant);
    } else {
      // Restore puts a dropped column back like one of ALTER TABLE ... DROP COLUMN.
      saved.kind = "AlterTableStmt";
      why = fmt::format("the statement drops its column {} too, as its {} goes with it",
                        saved.column, o.because);
    }
    saved.note = saved.note.empty() ? why : why + "; " + saved.note;
    read_rows(conn, read);
    if (std::optional<db::DbError> e = finish_table(read)) return e;
  }
  if (!views.empty()) {
    Result<std::vector<SavedView>> saved = read_views(conn, st.index, views);
    if (!saved) {
      if (conn.last_error()) return conn.last_error();
      return refuse(fmt::format("statement #{}: {}", st.index, saved.error().message()));
    }
    for (SavedView& v : *saved)
      manifest_.views.push_back(std::move(v));
  }
  // Indexes, constraints, defaults, triggers, ... of the tables it keeps.
  Result<std::vector<SavedPart>> parts = read_parts(conn, st);
  if (!parts)
    return conn.last_error() ? conn.last_error() : snapshot_error(parts.error().message());
  for (SavedPart& p : *parts)
    manifest_.parts.push_back(std::move(p));
  for (SavedObject& o : objects->saved)
    manifest_.objects.push_back(std::move(o));
  return std::nullopt;
}

std::optional<db::DbError> Taker::after_statement(db::Connection& conn,
                                                  const sql::Statement& /*st*/) {
  if (!pending_) return std::nullopt;
  std::unique_ptr<TableRead> read = std::move(pending_);
  if (!side_->wait(conn)) {
    db::DbError e = snapshot_error("interrupted by signal while the snapshot was read");
    e.sqlstate = "57014";  // like a cancelled statement: the run reports "interrupted"
    return e;
  }
  return finish_table(*read);
}

std::optional<db::DbError> Taker::before_commit() {
  std::error_code ec;
  fs::create_directories(folder_, ec);
  for (const auto& file : files_) {
    if (Status synced = file->sync(); !synced) return snapshot_error(synced.error().message());
  }
  manifest_.created = util::format_utc(util::now_unix());
  const std::string text = to_json(manifest_).dump(2) + "\n";
  if (Status written = write_file_durably((fs::path(folder_) / "manifest.json").string(), text);
      !written) {
    return snapshot_error(written.error().message());
  }
  // write_file_durably() synced the run's folder; the folders above it that
  // this run created need their new names synced too.
  for (const std::string& created : new_folders_) {
    if (Status synced = util::sync_folder(fs::path(created).parent_path().string()); !synced)
      return snapshot_error(synced.error().message());
  }
  manifest_sha256_ = crypto::to_hex(crypto::sha256(text));
  saved_ = manifest_;
  return std::nullopt;
}

void Taker::discard() {
  if (side_) side_->stop();
  pending_.reset();
  savepoint_ = false;
  files_.clear();
  manifest_.tables.clear();
  manifest_.views.clear();
  manifest_.parts.clear();
  manifest_.objects.clear();
  manifest_.bytes = 0;
  saved_.reset();
  manifest_sha256_.clear();
  std::error_code ec;
  fs::remove_all(folder_, ec);
}

}  // namespace safedb::snapshot
