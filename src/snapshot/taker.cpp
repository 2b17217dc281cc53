#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "safedb/crypto/hash.h"
#include "safedb/snapshot/snapshot.h"
#include "safedb/util/sql_quote.h"
#include "safedb/util/sync.h"
#include "safedb/util/utc_time.h"
#include "snapshot/definition.h"
#include "snapshot/files.h"
#include "snapshot/row_file.h"

namespace safedb::snapshot {
namespace {

namespace fs = std::filesystem;

// What the COPY of a snapshot reports when the snapshot stopped it.
constexpr const char* kStopped = "snapshot stopped";

db::DbError snapshot_error(std::string message, std::string hint = "") {
  db::DbError e;
  e.severity = "ERROR";
  e.message = std::move(message);
  e.hint = std::move(hint);
  return e;
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
  }
  return "table";
}

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
  if (d.kind == sql::Destruction::Kind::schema) {
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

}  // namespace

std::string unsnapshottable(const sql::Statement& st) {
  if (!st.unsnapshottable.empty()) return st.unsnapshottable;
  if (st.destroys.empty() && st.effects.has(sql::Effect::opaque))
    return "what an opaque statement destroys cannot be known before it runs";
  return "";
}

Taker::Taker(std::string folder, std::string run_id, db::TargetIdentity target,
             std::vector<int> statements, std::optional<std::uint64_t> max_size, bool progress)
    : folder_(std::move(folder)),
      run_id_(std::move(run_id)),
      target_(std::move(target)),
      statements_(std::move(statements)),
      max_size_(max_size),
      progress_(progress) {
  manifest_.run_id = run_id_;
  manifest_.target = target_;
}

Taker::~Taker() = default;

std::optional<db::DbError> Taker::refuse(std::string message) {
  blocked_ = message;
  return snapshot_error(std::move(message),
                        "take a restore-verified backup (safedb backup create, then verify) "
                        "and change the policy's snapshot requirement for this run");
}

std::optional<db::DbError> Taker::before_statement(db::Connection& conn, const sql::Statement& st) {
  if (std::find(statements_.begin(), statements_.end(), st.index) == statements_.end())
    return std::nullopt;
  if (const std::string why = unsnapshottable(st); !why.empty())
    return refuse(fmt::format("statement #{} cannot be snapshotted: {}", st.index, why));
  for (const sql::Destruction& d : st.destroys) {
    Result<std::vector<Relation>> relations = resolve(conn, st, d);
    if (!relations) return conn.last_error();
    for (const Relation& rel : *relations) {
      const bool rows = d.kind == sql::Destruction::Kind::rows;
      if (rel.relkind != "r" && !(rows && rel.relkind == "p")) {
        return refuse(
            fmt::format("statement #{}: {}.{} is a {} and cannot be snapshotted as a table",
                        st.index, rel.schema, rel.name,
                        rel.relkind == "p"   ? "partitioned table"
                        : rel.relkind == "f" ? "foreign table"
                                             : "relation"));
      }
      if (rows && rel.has_children && !d.only) {
        return refuse(
            fmt::format("statement #{}: {}.{} has inheritance children, whose rows a "
                        "snapshot of the parent would not restore",
                        st.index, rel.schema, rel.name));
      }
      const std::string mode = rows ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE";
      if (std::optional<db::DbError> e = save_table(conn, st, d, rel.oid, mode)) return e;
    }
  }
  return std::nullopt;
}

std::optional<db::DbError> Taker::save_table(db::Connection& conn, const sql::Statement& st,
                                             const sql::Destruction& d, const std::string& oid,
                                             const std::string& lock_mode) {
  // 1. Keep concurrent writers out until the change commits.
  Result<db::QueryResult> named = conn.exec(fmt::format(
      "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname, c.relname, "
      "row_security_active(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.oid = {}",
      oid));
  if (!named) return conn.last_error();
  if (named->rows.size() != 1)
    return snapshot_error(fmt::format("table with oid {} disappeared before its snapshot", oid));
  const std::string sql_name = named->at(0, 0).value_or("");
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
  if (!conn.exec(
          fmt::format("LOCK TABLE {}{} IN {} MODE", d.only ? "ONLY " : "", sql_name, lock_mode)))
    return conn.last_error();

  // 2. Its definition, columns and key, as the transaction sees them now.
  SavedTable saved;
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
  Result<nlohmann::json> definition = read_definition(conn, oid);
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
      "SELECT quote_ident(a.attname) FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
      "i.indrelid AND a.attnum = ANY (i.indkey::int2[]) WHERE i.indrelid = {} AND i.indisprimary "
      "ORDER BY array_position(i.indkey::int2[], a.attnum)",
      oid));
  if (!key) return conn.last_error();
  for (const auto& row : key->rows)
    saved.key.push_back(row[0].value_or(""));

  // 3. The rows: those the statement touches when its predicate can be
  //    evaluated again here, else the whole table; in binary format when
  //    every type allows it (the server's binary output is the cheaper).
  Result<content::CopyFormat> format = saved_format(conn, oid);
  if (!format) return conn.last_error();
  saved.format = *format;
  const char* options = saved.format == content::CopyFormat::binary ? " (FORMAT binary)" : "";
  const bool rows = d.kind == sql::Destruction::Kind::rows;
  std::string copy;
  if (rows && !d.where.empty()) {
    saved.scope = "rows";
    saved.where = d.where;
    const std::string qualifier = d.alias.empty() ? d.relation : d.alias;
    std::string list;
    for (const std::string& c : plain_columns)
      list += (list.empty() ? "" : ", ") + qualifier + "." + c;
    copy = fmt::format("COPY (SELECT {} FROM {}{} {} WHERE {}\n) TO STDOUT{}", list,
                       d.only ? "ONLY " : "", d.relation, d.alias, d.where, options);
  } else {
    saved.scope = "table";
    saved.note = rows ? d.whole_because : "";
    std::string list;
    for (const std::string& c : plain_columns)
      list += (list.empty() ? "" : ", ") + c;
    copy = fmt::format("COPY (SELECT {} FROM {}{}) TO STDOUT{}", list.empty() ? "" : list,
                       d.only ? "ONLY " : "", sql_name, options);
  }

  // 4. Written to a file of its own, hashed on the way.
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
  saved.file = fmt::format("{}-{}.copy", st.index, manifest_.tables.size());
  Result<std::unique_ptr<RowFile>> created =
      RowFile::create((fs::path(folder_) / saved.file).string());
  if (!created) return snapshot_error(created.error().message());
  files_.push_back(std::move(*created));
  RowFile& file = *files_.back();
  std::string write_error;
  bool too_big = false;
  util::Progress progress(stderr, progress_,
                          fmt::format("snapshot {}.{}", saved.digest.schema, saved.digest.name));
  Result<SavedOutput> pinned = pin_output(conn);
  if (!pinned) return snapshot_error(pinned.error().message());
  // The tee runs on hash_copy's second thread; manifest_.bytes, too_big,
  // write_error and the file are its own until hash_copy returns.
  Status hashed = content::hash_copy(
      conn, copy, saved.format, saved.digest, progress,
      [&](std::string_view some_rows) {
        manifest_.bytes += some_rows.size();
        if (max_size_ && manifest_.bytes > *max_size_) {
          too_big = true;
          return false;
        }
        if (Status written = file.append(some_rows); !written) {
          write_error = written.error().message();
          return false;
        }
        return true;
      },
      kStopped);
  progress.finish();
  std::optional<db::DbError> copy_error;
  if (!hashed) {
    // The server's report, unless the stop was safedb's own (hash_copy says why).
    copy_error = conn.last_error();
    if (!copy_error || copy_error->message == kStopped)
      copy_error = snapshot_error(hashed.error().message());
  }
  // The tail goes to the disk while the statement runs; before_commit() waits for it.
  if (Status started = file.start_writeback(); !started && write_error.empty())
    write_error = started.error().message();
  if (Status restored = restore_output(conn, *pinned); !restored && hashed)
    return snapshot_error(restored.error().message());
  if (too_big) {
    return refuse(
        fmt::format("the snapshot of statement #{} is larger than the policies allow "
                    "(max_size {} bytes) at table {}.{}",
                    st.index, *max_size_, saved.digest.schema, saved.digest.name));
  }
  if (!write_error.empty()) return snapshot_error(write_error);
  if (copy_error) return copy_error;
  saved.sha256 = file.finish_sha256();
  manifest_.tables.push_back(std::move(saved));
  return std::nullopt;
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
  files_.clear();
  manifest_.tables.clear();
  manifest_.bytes = 0;
  saved_.reset();
  manifest_sha256_.clear();
  std::error_code ec;
  fs::remove_all(folder_, ec);
}

}  // namespace safedb::snapshot
