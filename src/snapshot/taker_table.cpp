// One table of a pre-change snapshot: locked, its definition read, its rows
// copied into a row file (on the run's session, or on the second session
// while the statement runs), then added to the manifest.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "safedb/snapshot/snapshot.h"
#include "safedb/util/sql_quote.h"
#include "snapshot/cascade.h"
#include "snapshot/definition.h"
#include "snapshot/files.h"
#include "snapshot/row_file.h"
#include "snapshot/side_session.h"
#include "snapshot/taker_table.h"
#include "snapshot/types.h"

namespace safedb::snapshot {
namespace {

namespace fs = std::filesystem;

// What the COPY of a snapshot reports when the snapshot stopped it.
constexpr const char* kStopped = "snapshot stopped";

// pg_trigger.tgtype bits of the events a statement of `kind` fires on its table.
constexpr int kOnInsert = 1 << 2;
constexpr int kOnDelete = 1 << 3;
constexpr int kOnUpdate = 1 << 4;
constexpr int kOnTruncate = 1 << 5;

int trigger_events(const std::string& kind) {
  if (kind == "DeleteStmt") return kOnDelete;
  if (kind == "UpdateStmt") return kOnUpdate;
  if (kind == "MergeStmt") return kOnInsert | kOnDelete | kOnUpdate;
  if (kind == "InsertStmt") return kOnInsert | kOnUpdate;
  if (kind == "TruncateStmt") return kOnTruncate;
  return 0;  // DROP, ALTER TABLE: no trigger fires
}

const char* kind_name(sql::Destruction::Kind kind) {
  switch (kind) {
    case sql::Destruction::Kind::rows:
      return "rows";
    case sql::Destruction::Kind::table:
      return "table";
    case sql::Destruction::Kind::column:
      return "column";
    case sql::Destruction::Kind::schema:
      return "schema";
    case sql::Destruction::Kind::type:
    case sql::Destruction::Kind::extension:
    case sql::Destruction::Kind::view:
    case sql::Destruction::Kind::sequence:
    case sql::Destruction::Kind::function:
    case sql::Destruction::Kind::sequence_value:
      break;  // saved as the tables and columns they take with them, or as objects
  }
  return "table";
}

}  // namespace

db::DbError snapshot_error(std::string message, std::string hint) {
  db::DbError e;
  e.severity = "ERROR";
  e.message = std::move(message);
  e.hint = std::move(hint);
  return e;
}

std::optional<db::DbError> Taker::prepare_table(db::Connection& conn, const sql::Statement& st,
                                                const sql::Destruction& d, const std::string& oid,
                                                const std::string& lock_mode, TableRead& read) {
  // 1. Keep concurrent writers out until the change commits.
  // (With the user triggers that fire on what the statement does to it.)
  const int events = read.trigger_events != 0 ? read.trigger_events : trigger_events(st.kind);
  Result<db::QueryResult> named = conn.exec(fmt::format(
      "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname, c.relname, "
      "row_security_active(c.oid), c.relpersistence = 't', (SELECT string_agg(quote_ident("
      "g.tgname), ', ' ORDER BY g.tgname) FROM pg_trigger g WHERE g.tgrelid = c.oid AND NOT "
      "g.tgisinternal AND g.tgenabled IN ('O', 'A') AND g.tgtype & {} <> 0) FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = {}",
      events, oid));
  if (!named) return conn.last_error();
  if (named->rows.size() != 1)
    return snapshot_error(fmt::format("table with oid {} disappeared before its snapshot", oid));
  read.oid = oid;
  read.sql_name = named->at(0, 0).value_or("");
  read.temporary = named->at(0, 4) == std::optional<std::string>("t");
  // Row-level security limits what this role reads, not always what the
  // statement destroys (a DELETE without WHERE, a TRUNCATE): a snapshot read
  // through it could miss rows. (The COPY below also runs with row_security
  // off, so that PostgreSQL itself refuses rather than filter.)
  if (named->at(0, 3) == std::optional<std::string>("t")) {
    return refuse(fmt::format(
        "statement #{}: row-level security on {}.{} hides rows from this role, so a snapshot "
        "cannot see everything the statement may destroy; run as the table's owner or a role "
        "with BYPASSRLS",
        st.index, named->at(0, 1).value_or(""), named->at(0, 2).value_or("")));
  }
  if (!conn.exec(fmt::format("LOCK TABLE {}{} IN {} MODE", d.only ? "ONLY " : "", read.sql_name,
                             lock_mode)))
    return conn.last_error();

  // 2. Its definition, columns and key, as the transaction sees them now.
  SavedTable& saved = read.saved;
  saved.statement = st.index;
  saved.kind = st.kind;
  saved.destroys = kind_name(d.kind);
  if (!d.column.empty()) {
    // As quote_ident prints it, like the column names of the definition.
    Result<db::QueryResult> q =
        conn.exec(fmt::format("SELECT quote_ident({})", util::quote_literal(d.column)));
    if (!q) return conn.last_error();
    saved.column = q->at(0, 0).value_or("");
  }
  // Restore recreates a dropped table or column, never one whose rows changed.
  Result<nlohmann::json> definition =
      read_definition(conn, oid, d.kind != sql::Destruction::Kind::rows);
  if (!definition) return snapshot_error(definition.error().message());
  saved.definition = std::move(*definition);
  saved.digest.schema = named->at(0, 1).value_or("");
  saved.digest.name = named->at(0, 2).value_or("");
  std::vector<std::string> plain_columns;
  for (const nlohmann::json& c : saved.definition["columns"]) {
    if (c.value("generated", "") == "s") continue;
    saved.digest.columns.push_back(c.value("name", "") + " " + c.value("type", ""));
    plain_columns.push_back(c.value("name", ""));
  }
  Result<db::QueryResult> key = conn.exec(fmt::format(
      "SELECT quote_ident(a.attname), a.attname FROM pg_index i JOIN pg_attribute a ON "
      "a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[]) WHERE i.indrelid = {} AND "
      "i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
      oid));
  if (!key) return conn.last_error();
  std::string key_set;  // key columns the statement sets: restore cannot match those rows by key
  for (const auto& row : key->rows) {
    saved.key.push_back(row[0].value_or(""));
    const std::string name = row[1].value_or("");
    if (std::find(d.updated_columns.begin(), d.updated_columns.end(), name) !=
        d.updated_columns.end())
      key_set += (key_set.empty() ? "" : ", ") + row[0].value_or("");
  }

  // 3. The rows: those the statement touches when its predicate can be
  //    evaluated again here, else the whole table; in binary format when
  //    every type allows it (the server's binary output is the cheaper).
  Result<content::CopyFormat> format = saved_format(conn, oid);
  if (!format) return conn.last_error();
  saved.format = *format;
  const char* options = saved.format == content::CopyFormat::binary ? " (FORMAT binary)" : "";
  const bool rows = d.kind == sql::Destruction::Kind::rows;
  std::string where = d.where;
  std::string whole_because = d.whole_because;
  if (rows && !where.empty()) {
    // The COPY's output settings must not change what the predicate selects.
    Result<bool> keeps = pin_keeps_input(conn, saved.format);
    if (!keeps) return snapshot_error(keeps.error().message());
    if (!*keeps) {
      where.clear();
      whole_because =
          "the session's settings that change how literals are read (DateStyle, TimeZone, ...) "
          "differ from those the snapshot pins for its output, under which the WHERE clause "
          "could select other rows";
    }
  }
  if (const std::optional<std::string> triggers = named->at(0, 5)) {
    saved.note = fmt::format(
        "its triggers {} run too; what they change in other tables is not saved", *triggers);
  }
  if (!key_set.empty()) {
    saved.note += saved.note.empty() ? "" : "; ";
    saved.note += fmt::format(
        "it sets primary key column {}, so restore in place cannot find these rows by key; "
        "restore a copy with --into",
        key_set);
  }
  // Restore in place finds the rows to revert, and those to put a column
  // back into, by primary key: say now how it does without one.
  const bool by_key = d.kind == sql::Destruction::Kind::column || (rows && st.kind != "DeleteStmt");
  if (by_key && saved.key.empty()) {
    saved.note += saved.note.empty() ? "" : "; ";
    saved.note += d.kind == sql::Destruction::Kind::column
                      ? fmt::format(
                            "it has no primary key, so restore in place puts column {} "
                            "back by matching rows on their other columns; rows "
                            "changed since do not match",
                            d.column)
                      : "it has no primary key, so restore in place cannot find the rows "
                        "it changes; restore a copy with --into";
  }
  if (rows && !where.empty()) {
    saved.scope = "rows";
    saved.where = where;
    const std::string qualifier = d.alias.empty() ? d.relation : d.alias;
    std::string list;
    for (const std::string& c : plain_columns)
      list += (list.empty() ? "" : ", ") + qualifier + "." + c;
    read.copy = fmt::format("COPY (SELECT {} FROM {}{} {} WHERE {}\n) TO STDOUT{}", list,
                            d.only ? "ONLY " : "", d.relation, d.alias, where, options);
  } else {
    saved.scope = "table";
    if (rows && !whole_because.empty())
      saved.note = saved.note.empty() ? whole_because : whole_because + "; " + saved.note;
    std::string list;
    for (const std::string& c : plain_columns)
      list += (list.empty() ? "" : ", ") + c;
    // A TRUNCATE or DROP lists the inheritance children it empties or drops
    // as tables of their own: each table holds only its own rows here.
    const bool own_rows = d.only || d.kind == sql::Destruction::Kind::table ||
                          d.kind == sql::Destruction::Kind::schema;
    read.copy = fmt::format("COPY (SELECT {} FROM {}{}) TO STDOUT{}", list, own_rows ? "ONLY " : "",
                            read.sql_name, options);
  }

  // 4. A file of its own (and the snapshot's folder, on first use).
  std::error_code ec;
  if (new_folders_.empty()) {
    // The folders this run creates, deepest first: their names must be
    // synced before COMMIT too.
    for (fs::path p = folder_; !p.empty() && !fs::exists(p, ec); p = p.parent_path())
      new_folders_.push_back(p.string());
    fs::create_directories(folder_, ec);
    // Snapshots hold the rows a statement destroys: only their owner may read them.
    for (const std::string& created : new_folders_) {
      fs::permissions(created, fs::perms::owner_all, fs::perm_options::replace, ec);
      if (ec) return snapshot_error(fmt::format("cannot restrict {}: {}", created, ec.message()));
    }
  }
  fs::create_directories(folder_, ec);
  saved.file = fmt::format("{}-{}.copy", st.index, files_.size());
  Result<std::unique_ptr<RowFile>> created =
      RowFile::create((fs::path(folder_) / saved.file).string());
  if (!created) return snapshot_error(created.error().message());
  files_.push_back(std::move(*created));
  read.file = files_.back().get();
  return std::nullopt;
}

std::optional<db::DbError> Taker::prepare_cascaded(db::Connection& conn, const sql::Statement& st,
                                                   const CascadedTable& t, bool whole,
                                                   TableRead& read) {
  sql::Destruction d;
  d.kind = sql::Destruction::Kind::rows;
  d.relation = t.sql_name;
  // Deleted rows fire its DELETE triggers, changed ones its UPDATE triggers.
  read.trigger_events = (t.deleted ? kOnDelete : 0) | (t.updated ? kOnUpdate : 0);
  d.only = !t.partitioned;
  if (whole) {
    d.whole_because = "the foreign keys lead back to a table already reached";
  } else {
    d.where = t.where;
  }
  if (std::optional<db::DbError> e = prepare_table(conn, st, d, t.oid, "SHARE ROW EXCLUSIVE", read))
    return e;
  // What happened to these rows decides how restore puts them back.
  read.saved.kind = t.deleted && t.updated ? "MergeStmt" : t.deleted ? "DeleteStmt" : "UpdateStmt";
  read.saved.via = t.via;
  return std::nullopt;
}

bool Taker::join_side(db::Connection& conn, const sql::Statement& st, const sql::Destruction& d,
                      const TableRead& read, std::optional<db::DbError>& failed) {
  if (!side_ || savepoint_ || read.temporary || !may_read_alongside(st)) return false;
  // Only a transaction that has written nothing yet sees what a session
  // importing its snapshot sees: an importer does not see the exporter's
  // own changes. The snapshot is taken after the lock, so no writer can
  // commit between it and the statement.
  Result<db::QueryResult> exported = conn.exec(fmt::format(
      "SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN pg_export_snapshot() END, ({})",
      fingerprint_sql()));
  if (!exported) {
    failed = conn.last_error();  // the run's transaction is aborted now
    return false;
  }
  const std::optional<std::string> snapshot_id = exported->at(0, 0);
  if (!snapshot_id) return false;
  return side_->join(
      *snapshot_id, exported->at(0, 1).value_or(""),
      fmt::format("LOCK TABLE {}{} IN ACCESS SHARE MODE", d.only ? "ONLY " : "", read.sql_name),
      d.relation, read.oid);
}

void Taker::read_rows(db::Connection& conn, TableRead& read) {
  SavedTable& saved = read.saved;
  util::Progress progress(stderr, progress_,
                          fmt::format("snapshot {}.{}", saved.digest.schema, saved.digest.name));
  Result<SavedOutput> pinned = pin_output(conn, saved.format);
  if (!pinned) {
    read.error = snapshot_error(pinned.error().message());
    return;
  }
  // The tee runs on hash_copy's second thread; manifest_.bytes and `read`
  // are its own until hash_copy returns.
  Status hashed = content::hash_copy(
      conn, read.copy, saved.format, saved.digest, progress,
      [&](std::string_view some_rows) {
        manifest_.bytes += some_rows.size();
        if (max_size_ && manifest_.bytes > *max_size_) {
          read.too_big = true;
          return false;
        }
        if (Status written = read.file->append(some_rows); !written) {
          read.write_error = written.error().message();
          return false;
        }
        return true;
      },
      kStopped);
  progress.finish();
  if (!hashed) {
    // The server's report, unless the stop was safedb's own (hash_copy says why).
    read.error = conn.last_error();
    if (!read.error || read.error->message == kStopped)
      read.error = snapshot_error(hashed.error().message());
  }
  // The tail goes to the disk while the statement runs; before_commit() waits for it.
  if (Status started = read.file->start_writeback(); !started && read.write_error.empty())
    read.write_error = started.error().message();
  if (Status restored = restore_output(conn, *pinned); !restored && hashed)
    read.error = snapshot_error(restored.error().message());
}

std::optional<db::DbError> Taker::finish_table(TableRead& read) {
  if (read.too_big) {
    return refuse(fmt::format(
        "the snapshot of statement #{} is larger than the policies allow "
        "(max_size {} bytes) at table {}.{}",
        read.saved.statement, *max_size_, read.saved.digest.schema, read.saved.digest.name));
  }
  if (!read.write_error.empty()) return snapshot_error(read.write_error);
  if (read.error) return read.error;
  read.saved.sha256 = read.file->finish_sha256();
  manifest_.tables.push_back(std::move(read.saved));
  return std::nullopt;
}

}  // namespace safedb::snapshot
