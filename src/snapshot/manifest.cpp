// manifest.json of a snapshot folder (docs/snapshots.md) and the checks
// that a snapshot is intact before anything is restored from it.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "safedb/crypto/hash.h"
#include "safedb/snapshot/snapshot.h"

namespace safedb::snapshot {
namespace {

using nlohmann::json;

// Version 2 added each table's "format"; version 1 files are all text.
// Version 3 added "views"; a manifest without views is still written as
// version 2, which builds that know nothing of views read as well.
// Version 4 added "parts" (of relations a statement keeps), written only
// when there are some, so that a build that would not add them back
// refuses the snapshot instead of restoring without them. Version 5 added
// "objects" (functions, types, sequences, extensions), likewise.
constexpr int kFormatVersion = 2;
constexpr int kViewsVersion = 3;
constexpr int kPartsVersion = 4;
constexpr int kObjectsVersion = 5;

constexpr const char* kPartKinds[] = {"index",  "constraint", "default",    "trigger",
                                      "policy", "rule",       "statistics", "generated column"};
constexpr const char* kObjectKinds[] = {"schema",    "default privileges", "extension", "type",
                                        "sequence",  "function",           "procedure", "aggregate",
                                        "collation", "sequence value"};

Error damaged(const std::string& what) {
  return {ExitCode::no, what};
}

}  // namespace

json to_json(const Manifest& m) {
  json tables = json::array();
  for (const SavedTable& t : m.tables) {
    tables.push_back({{"statement", t.statement},
                      {"kind", t.kind},
                      {"destroys", t.destroys},
                      {"scope", t.scope},
                      {"where", t.where},
                      {"note", t.note},
                      {"column", t.column},
                      {"table", content::to_json(t.digest)},
                      {"key", t.key},
                      {"file", t.file},
                      {"format", t.format == content::CopyFormat::binary ? "binary" : "text"},
                      {"sha256", t.sha256},
                      {"definition", t.definition}});
    if (!t.via.empty()) tables.back()["via"] = t.via;
  }
  const int version = !m.objects.empty() ? kObjectsVersion
                      : !m.parts.empty() ? kPartsVersion
                      : !m.views.empty() ? kViewsVersion
                                         : kFormatVersion;
  json out = {{"version", version},
              {"run_id", m.run_id},
              {"created", m.created},
              {"target",
               {{"system_identifier", m.target.system_identifier},
                {"database", m.target.database},
                {"host", m.target.host},
                {"port", m.target.port},
                {"server_version", m.target.server_version}}},
              {"bytes", m.bytes},
              {"tables", tables}};
  if (version >= kViewsVersion) {
    json views = json::array();
    for (const SavedView& v : m.views) {
      views.push_back({{"statement", v.statement},
                       {"kind", v.kind},
                       {"name", v.name},
                       {"schema", v.schema},
                       {"schema_as_it_was", v.schema_as_it_was},
                       {"definition", v.definition},
                       {"populated", v.populated},
                       {"sql", v.sql}});
      if (v.rows) {
        views.back()["rows"] = content::to_json(*v.rows);
        views.back()["rows_format"] =
            v.rows_format == content::CopyFormat::binary ? "binary" : "text";
      }
    }
    out["views"] = std::move(views);
  }
  if (version >= kPartsVersion) {
    json parts = json::array();
    for (const SavedPart& p : m.parts) {
      parts.push_back({{"statement", p.statement},
                       {"kind", p.kind},
                       {"relation", p.relation},
                       {"name", p.name},
                       {"definition", p.definition},
                       {"sql", p.sql},
                       {"functions", p.functions},
                       {"extensions", p.extensions}});
    }
    out["parts"] = std::move(parts);
  }
  if (version >= kObjectsVersion) {
    json objects = json::array();
    for (const SavedObject& o : m.objects) {
      objects.push_back({{"statement", o.statement},
                         {"kind", o.kind},
                         {"name", o.name},
                         {"schema", o.schema},
                         {"definition", o.definition},
                         {"sql", o.sql}});
    }
    out["objects"] = std::move(objects);
  }
  return out;
}

Result<Manifest> manifest_from_json(const json& v) {
  try {
    const int version = v.is_object() ? v.value("version", 0) : 0;
    if (version < 1 || version > kObjectsVersion)
      return Error::input("not a version 1 to 5 snapshot manifest");
    Manifest m;
    m.run_id = v.at("run_id").get<std::string>();
    m.created = v.at("created").get<std::string>();
    const json& target = v.at("target");
    m.target.system_identifier = target.at("system_identifier").get<std::string>();
    m.target.database = target.at("database").get<std::string>();
    m.target.host = target.value("host", "");
    m.target.port = target.value("port", 0);
    m.target.server_version = target.value("server_version", "");
    m.bytes = v.at("bytes").get<std::uint64_t>();
    for (const json& t : v.at("tables")) {
      SavedTable s;
      s.statement = t.at("statement").get<int>();
      s.kind = t.at("kind").get<std::string>();
      s.destroys = t.at("destroys").get<std::string>();
      s.scope = t.at("scope").get<std::string>();
      s.where = t.value("where", "");
      s.note = t.value("note", "");
      s.via = t.value("via", std::vector<std::string>{});
      s.column = t.value("column", "");
      Result<content::TableDigest> digest = content::table_digest_from_json(t.at("table"));
      if (!digest) return digest.error();
      s.digest = std::move(*digest);
      s.key = t.at("key").get<std::vector<std::string>>();
      s.file = t.at("file").get<std::string>();
      const std::string format = version == 1 ? "text" : t.at("format").get<std::string>();
      if (format != "text" && format != "binary")
        return Error::input(fmt::format("table format \"{}\" is neither text nor binary", format));
      s.format = format == "binary" ? content::CopyFormat::binary : content::CopyFormat::text;
      s.sha256 = t.at("sha256").get<std::string>();
      s.definition = t.at("definition");
      if (s.file.find('/') != std::string::npos || s.file.starts_with("."))
        return Error::input(fmt::format("file name {} is not a plain name", s.file));
      m.tables.push_back(std::move(s));
    }
    if (version >= kViewsVersion) {
      for (const json& x : v.at("views")) {
        SavedView view;
        view.statement = x.at("statement").get<int>();
        view.kind = x.at("kind").get<std::string>();
        if (view.kind != "view" && view.kind != "materialized view")
          return Error::input(fmt::format("view kind \"{}\" is unknown", view.kind));
        view.name = x.at("name").get<std::string>();
        view.schema = x.at("schema").get<std::string>();
        view.schema_as_it_was = x.at("schema_as_it_was");
        if (!view.schema_as_it_was.is_object())
          return Error::input("a view's \"schema_as_it_was\" is not an object");
        view.definition = x.at("definition").get<std::string>();
        view.populated = x.at("populated").get<bool>();
        view.sql = x.at("sql").get<std::vector<std::string>>();
        if (x.contains("rows")) {
          Result<content::TableDigest> rows = content::table_digest_from_json(x.at("rows"));
          if (!rows) return rows.error();
          view.rows = std::move(*rows);
          const std::string format = x.at("rows_format").get<std::string>();
          if (format != "text" && format != "binary")
            return Error::input(
                fmt::format("rows format \"{}\" is neither text nor binary", format));
          view.rows_format =
              format == "binary" ? content::CopyFormat::binary : content::CopyFormat::text;
        }
        m.views.push_back(std::move(view));
      }
    }
    if (version >= kPartsVersion) {
      for (const json& x : v.at("parts")) {
        SavedPart part;
        part.statement = x.at("statement").get<int>();
        part.kind = x.at("kind").get<std::string>();
        if (std::find(std::begin(kPartKinds), std::end(kPartKinds), part.kind) ==
            std::end(kPartKinds))
          return Error::input(fmt::format("part kind \"{}\" is unknown", part.kind));
        part.relation = x.at("relation").get<std::string>();
        part.name = x.at("name").get<std::string>();
        part.definition = x.at("definition").get<std::string>();
        part.sql = x.at("sql").get<std::vector<std::string>>();
        if (part.sql.empty()) return Error::input("a part's \"sql\" is empty");
        part.functions = x.at("functions");
        part.extensions = x.at("extensions");
        if (!part.functions.is_array() || !part.extensions.is_array())
          return Error::input("a part's \"functions\" or \"extensions\" is not an array");
        m.parts.push_back(std::move(part));
      }
    }
    if (version >= kObjectsVersion) {
      for (const json& x : v.at("objects")) {
        SavedObject o;
        o.statement = x.at("statement").get<int>();
        o.kind = x.at("kind").get<std::string>();
        if (std::find(std::begin(kObjectKinds), std::end(kObjectKinds), o.kind) ==
            std::end(kObjectKinds))
          return Error::input(fmt::format("object kind \"{}\" is unknown", o.kind));
        o.name = x.at("name").get<std::string>();
        o.schema = x.at("schema").get<std::string>();
        o.definition = x.at("definition").get<std::string>();
        o.sql = x.at("sql").get<std::vector<std::string>>();
        if (o.sql.empty()) return Error::input("an object's \"sql\" is empty");
        m.objects.push_back(std::move(o));
      }
    }
    return m;
  } catch (const json::exception& e) {
    return Error::input(fmt::format("a key is missing or has the wrong type ({})", e.what()));
  }
}

Result<Manifest> load(const std::string& folder,
                      const std::optional<std::string>& expected_sha256) {
  namespace fs = std::filesystem;
  const std::string path = (fs::path(folder) / "manifest.json").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::input(fmt::format("{}: no snapshot here (cannot read it)", path));
  std::ostringstream text;
  text << in.rdbuf();
  const std::string bytes = text.str();
  if (expected_sha256 && crypto::to_hex(crypto::sha256(bytes)) != *expected_sha256) {
    return damaged(
        fmt::format("{}: the manifest differs from the one the run recorded in the "
                    "signed audit log (sha256 {}); it was edited or replaced",
                    path, expected_sha256->substr(0, 16)));
  }
  json parsed = json::parse(bytes, nullptr, false);
  if (parsed.is_discarded()) return damaged(fmt::format("{}: not valid JSON", path));
  Result<Manifest> manifest = manifest_from_json(parsed);
  if (!manifest) return Error(ExitCode::no, manifest.error().within(path).message());
  for (const SavedTable& t : manifest->tables) {
    const std::string file = (fs::path(folder) / t.file).string();
    std::ifstream data(file, std::ios::binary);
    if (!data) return damaged(fmt::format("{}: missing (named in {})", file, path));
    crypto::Sha256Stream hash;
    std::uint64_t size = 0;
    char buffer[1 << 16];
    while (data.read(buffer, sizeof buffer) || data.gcount() > 0) {
      hash.update(std::string_view(buffer, static_cast<std::size_t>(data.gcount())));
      size += static_cast<std::uint64_t>(data.gcount());
    }
    if (size != t.digest.bytes || crypto::to_hex(hash.finish()) != t.sha256) {
      return damaged(
          fmt::format("{}: {} bytes, {} expected, or its content differs from the "
                      "manifest; the snapshot is damaged",
                      file, size, t.digest.bytes));
    }
  }
  return manifest;
}

}  // namespace safedb::snapshot
