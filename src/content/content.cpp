#include "safedb/content/content.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <optional>

#include "content/copy_binary.h"
#include "content/row_pipeline.h"
#include "safedb/crypto/hash.h"
#include "safedb/util/sql_quote.h"

namespace safedb::content {
namespace {

// Every setting that changes the text COPY prints for some type.
constexpr OutputSetting kPinnedSettings[] = {
    {"client_encoding", "UTF8"}, {"DateStyle", "ISO, YMD"},   {"IntervalStyle", "postgres"},
    {"TimeZone", "UTC"},         {"extra_float_digits", "1"}, {"bytea_output", "hex"},
    {"xmloption", "content"},    {"lc_monetary", "C"},        {"standard_conforming_strings", "on"},
};

}  // namespace

std::string TableDigest::qualified() const {
  return schema + "." + name;
}

std::string TableDigest::sql_name() const {
  return util::quote_identifier(schema) + "." + util::quote_identifier(name);
}

std::span<const OutputSetting> text_output_settings() {
  return kPinnedSettings;
}

Status pin_text_output(db::Connection& conn) {
  std::string sql;
  for (const OutputSetting& s : kPinnedSettings)
    sql += fmt::format("SET {} = {};", s.name, util::quote_literal(s.value));
  if (Result<db::QueryResult> r = conn.exec(sql); !r)
    return r.error().within("cannot pin the session's output settings");
  return {};
}

Result<std::vector<TableDigest>> list_tables(db::Connection& conn) {
  // Columns as COPY prints them: not dropped, not generated, in attnum order.
  Result<db::QueryResult> r = conn.exec(R"sql(
    SELECT n.nspname, c.relname,
           coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' ||
                                       format_type(a.atttypid, a.atttypmod), e'\n' ORDER BY a.attnum)
                       FROM pg_attribute a
                      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                        AND a.attgenerated = ''), '')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND c.relpersistence <> 't'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype = 'e')
     ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C")sql");
  if (!r) return r.error().within("cannot list the database's tables");
  std::vector<TableDigest> tables;
  for (const auto& row : r->rows) {
    TableDigest t;
    t.schema = row[0].value_or("");
    t.name = row[1].value_or("");
    const std::string columns = row[2].value_or("");
    std::size_t start = 0;
    while (!columns.empty() && start <= columns.size()) {
      const std::size_t end = columns.find('\n', start);
      t.columns.push_back(columns.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    tables.push_back(std::move(t));
  }
  return tables;
}

Status hash_copy(db::Connection& conn, std::string_view copy_sql, CopyFormat format,
                 TableDigest& digest, util::Progress& progress,
                 const std::function<bool(std::string_view rows)>& tee,
                 const std::string& tee_error) {
  crypto::MultisetHash hash;
  std::uint64_t bytes = 0;
  detail::BinaryTuples tuples;
  std::optional<Error> malformed;
  // SHA-256 per row (and the tee's writes) run on the pipeline's thread, so
  // that this one only reads the socket; `hash`, `bytes`, `tuples` and
  // `malformed` are that thread's until finish() or abandon() returns.
  detail::RowPipeline pipeline([&](const detail::RowBatch& batch) {
    if (format == CopyFormat::text) {
      for (std::size_t i = 0; i < batch.rows(); ++i)
        hash.add(batch.row(i));
    } else if (Status split = tuples.feed(batch.bytes, [&](std::string_view t) { hash.add(t); });
               !split) {
      malformed = split.error();
      return false;
    }
    bytes += batch.bytes.size();
    return !tee || tee(batch.bytes);
  });
  Result<std::int64_t> rows = conn.copy_out(
      copy_sql,
      [&](std::string_view row) {
        progress.advance(row.size());
        return pipeline.add(row);
      },
      tee_error);
  if (!rows) {
    pipeline.abandon();
    return malformed ? *malformed : rows.error();
  }
  const bool consumed = pipeline.finish();
  if (malformed) return *malformed;
  if (!consumed) return Error(ExitCode::execution_failed, tee_error);
  if (format == CopyFormat::binary) {
    if (Status ended = tuples.finish(); !ended) return ended;
  }
  if (*rows != hash.count()) {
    return Error(ExitCode::execution_failed,
                 fmt::format("COPY sent {} rows but {} were hashed", *rows, hash.count()));
  }
  digest.rows = hash.count();
  digest.bytes = bytes;
  digest.hash = hash.hex();
  return {};
}

Result<std::vector<TableDigest>> digest_database(db::Connection& conn, util::Progress& progress) {
  Result<std::vector<TableDigest>> tables = list_tables(conn);
  if (!tables) return tables;
  for (TableDigest& t : *tables) {
    if (Status s = hash_copy(conn, fmt::format("COPY {} TO STDOUT", t.sql_name()), CopyFormat::text,
                             t, progress);
        !s) {
      return s.error().within(fmt::format("cannot read table {}", t.qualified()));
    }
  }
  return tables;
}

std::vector<Difference> compare(const std::vector<TableDigest>& expected,
                                const std::vector<TableDigest>& found) {
  std::map<std::string, const TableDigest*> found_by_name;
  for (const TableDigest& t : found)
    found_by_name[t.qualified()] = &t;
  std::vector<Difference> out;
  for (const TableDigest& e : expected) {
    auto it = found_by_name.find(e.qualified());
    if (it == found_by_name.end()) {
      out.push_back({e.qualified(), fmt::format("missing ({} rows expected)", e.rows)});
      continue;
    }
    const TableDigest& f = *it->second;
    found_by_name.erase(it);
    if (e.columns != f.columns)
      out.push_back(
          {e.qualified(), fmt::format("columns differ: expected ({}), found ({})",
                                      fmt::join(e.columns, ", "), fmt::join(f.columns, ", "))});
    if (e.rows != f.rows) {
      out.push_back({e.qualified(), fmt::format("rows: {} expected, {} found", e.rows, f.rows)});
    } else if (e.hash != f.hash) {
      out.push_back(
          {e.qualified(), fmt::format("content differs ({} rows; hash {} expected, {} "
                                      "found)",
                                      e.rows, e.hash.substr(0, 16), f.hash.substr(0, 16))});
    }
  }
  for (const auto& [name, t] : found_by_name)
    out.push_back({name, fmt::format("not expected ({} rows found)", t->rows)});
  return out;
}

nlohmann::json to_json(const TableDigest& d) {
  return {{"schema", d.schema}, {"name", d.name},   {"columns", d.columns},
          {"rows", d.rows},     {"bytes", d.bytes}, {"hash", d.hash}};
}

Result<TableDigest> table_digest_from_json(const nlohmann::json& v) {
  TableDigest d;
  auto bad = [](std::string_view key) {
    return Error::input(fmt::format("table entry: \"{}\" is missing or has the wrong type", key));
  };
  if (!v.is_object()) return Error::input("table entry: not an object");
  if (!v.contains("schema") || !v["schema"].is_string()) return bad("schema");
  if (!v.contains("name") || !v["name"].is_string()) return bad("name");
  if (!v.contains("columns") || !v["columns"].is_array()) return bad("columns");
  if (!v.contains("rows") || !v["rows"].is_number_integer()) return bad("rows");
  if (!v.contains("bytes") || !v["bytes"].is_number_integer()) return bad("bytes");
  if (!v.contains("hash") || !v["hash"].is_string() || v["hash"].get<std::string>().size() != 64)
    return bad("hash");
  d.schema = v["schema"].get<std::string>();
  d.name = v["name"].get<std::string>();
  for (const auto& c : v["columns"]) {
    if (!c.is_string()) return bad("columns");
    d.columns.push_back(c.get<std::string>());
  }
  d.rows = v["rows"].get<std::int64_t>();
  d.bytes = v["bytes"].get<std::uint64_t>();
  d.hash = v["hash"].get<std::string>();
  return d;
}

}  // namespace safedb::content
