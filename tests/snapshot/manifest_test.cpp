#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "safedb/snapshot/snapshot.h"

using namespace safedb;
using nlohmann::json;

namespace {

snapshot::Manifest one_table(content::CopyFormat format) {
  snapshot::Manifest m;
  m.run_id = "r20261121T155318Z-fd39ba46";
  m.created = "2026-11-21T15:53:18Z";
  m.target.system_identifier = "7710653503681166100";
  m.target.database = "mail";
  snapshot::SavedTable t;
  t.kind = "DeleteStmt";
  t.destroys = "rows";
  t.scope = "table";
  t.digest = {"public", "messages", {"id bigint"}, 2, 40, std::string(64, 'a')};
  t.key = {"id"};
  t.file = "0-0.copy";
  t.format = format;
  t.sha256 = std::string(64, 'b');
  t.definition = json::object();
  m.tables.push_back(t);
  m.bytes = 40;
  return m;
}

}  // namespace

TEST_CASE("a manifest keeps each table's row format; version 1 manifests are text", "[snapshot]") {
  const json binary = snapshot::to_json(one_table(content::CopyFormat::binary));
  CHECK(binary["version"] == 2);
  CHECK(binary["tables"][0]["format"] == "binary");
  Result<snapshot::Manifest> back = snapshot::manifest_from_json(binary);
  REQUIRE(back);
  CHECK(back->tables[0].format == content::CopyFormat::binary);

  json version1 = snapshot::to_json(one_table(content::CopyFormat::binary));
  version1["version"] = 1;
  version1["tables"][0].erase("format");
  Result<snapshot::Manifest> old = snapshot::manifest_from_json(version1);
  REQUIRE(old);
  CHECK(old->tables[0].format == content::CopyFormat::text);

  SECTION("version 2 without a format, or with another one, is refused") {
    json missing = binary;
    missing["tables"][0].erase("format");
    CHECK_FALSE(snapshot::manifest_from_json(missing));
    json other = binary;
    other["tables"][0]["format"] = "csv";
    Result<snapshot::Manifest> refused = snapshot::manifest_from_json(other);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message().find("\"csv\" is neither text nor binary") !=
          std::string::npos);
  }
  SECTION("a later version is refused") {
    json later = binary;
    later["version"] = 6;
    Result<snapshot::Manifest> refused = snapshot::manifest_from_json(later);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message() == "not a version 1 to 5 snapshot manifest");
  }
}

TEST_CASE("a manifest with views is version 3, which an older reader refuses", "[snapshot]") {
  snapshot::Manifest m = one_table(content::CopyFormat::binary);
  snapshot::SavedView v;
  v.statement = 0;
  v.kind = "materialized view";
  v.name = "rep.\"Totals\"";
  v.schema = "rep";
  v.schema_as_it_was = {{"owner", "app"}, {"grants", {"GRANT USAGE ON SCHEMA rep TO PUBLIC"}}};
  v.definition = " SELECT count(*) AS n\n   FROM public.messages";
  v.sql = {"CREATE MATERIALIZED VIEW rep.\"Totals\" AS\n...\nWITH NO DATA",
           "REFRESH MATERIALIZED VIEW rep.\"Totals\""};
  v.populated = true;
  v.rows = content::TableDigest{"", "rep.\"Totals\"", {}, 1, 12, std::string(64, 'c')};
  v.rows_format = content::CopyFormat::binary;
  m.views.push_back(v);
  const json written = snapshot::to_json(m);
  CHECK(written["version"] == 3);
  Result<snapshot::Manifest> back = snapshot::manifest_from_json(written);
  REQUIRE(back);
  REQUIRE(back->views.size() == 1);
  const snapshot::SavedView& read = back->views[0];
  CHECK(read.kind == v.kind);
  CHECK(read.name == v.name);
  CHECK(read.schema == v.schema);
  CHECK(read.schema_as_it_was == v.schema_as_it_was);
  CHECK(read.definition == v.definition);
  CHECK(read.sql == v.sql);
  CHECK(read.populated);
  REQUIRE(read.rows);
  CHECK(read.rows->rows == 1);
  CHECK(read.rows->hash == std::string(64, 'c'));
  CHECK(read.rows_format == content::CopyFormat::binary);

  // Without views, the manifest stays version 2.
  CHECK(snapshot::to_json(one_table(content::CopyFormat::text))["version"] == 2);

  SECTION("a view of an unknown kind, or without its keys, is refused") {
    json other = written;
    other["views"][0]["kind"] = "sequence";
    Result<snapshot::Manifest> refused = snapshot::manifest_from_json(other);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message() == "view kind \"sequence\" is unknown");
    for (const char* key : {"name", "schema", "schema_as_it_was", "definition", "sql"}) {
      json missing = written;
      missing["views"][0].erase(key);
      CHECK_FALSE(snapshot::manifest_from_json(missing));
    }
    json csv = written;
    csv["views"][0]["rows_format"] = "csv";
    CHECK_FALSE(snapshot::manifest_from_json(csv));
    json no_views = written;
    no_views.erase("views");
    CHECK_FALSE(snapshot::manifest_from_json(no_views));
  }
}

TEST_CASE("a manifest with parts of kept tables is version 4, and bad parts are refused",
          "[snapshot]") {
  snapshot::Manifest m = one_table(content::CopyFormat::binary);
  snapshot::SavedPart p;
  p.statement = 1;
  p.kind = "index";
  p.relation = "public.\"Orders\"";
  p.name = "orders_twice";
  p.definition = "CREATE INDEX orders_twice ON public.\"Orders\" USING btree (util.twice(qty))";
  p.sql = {p.definition, "COMMENT ON INDEX public.orders_twice IS 'x'"};
  p.functions = json::array({{{"name", "util.twice(integer)"},
                              {"schema", "util"},
                              {"sql", {"CREATE OR REPLACE FUNCTION ...", "ALTER FUNCTION ..."}}}});
  p.extensions = json::array({{{"name", "pg_trgm"}, {"version", "1.6"}, {"schema", "public"}}});
  m.parts.push_back(p);
  const json written = snapshot::to_json(m);
  CHECK(written["version"] == 4);
  CHECK(written["views"] == json::array());
  Result<snapshot::Manifest> back = snapshot::manifest_from_json(written);
  REQUIRE(back);
  REQUIRE(back->parts.size() == 1);
  const snapshot::SavedPart& read = back->parts[0];
  CHECK(read.statement == 1);
  CHECK(read.kind == "index");
  CHECK(read.relation == p.relation);
  CHECK(read.name == p.name);
  CHECK(read.definition == p.definition);
  CHECK(read.sql == p.sql);
  CHECK(read.functions == p.functions);
  CHECK(read.extensions == p.extensions);

  // Without parts the manifest stays at version 2, which older builds read.
  CHECK(snapshot::to_json(one_table(content::CopyFormat::binary))["version"] == 2);

  SECTION("an unknown kind, empty SQL or a missing key is refused") {
    json kind = written;
    kind["parts"][0]["kind"] = "sequence";
    Result<snapshot::Manifest> refused = snapshot::manifest_from_json(kind);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message() == "part kind \"sequence\" is unknown");
    json empty = written;
    empty["parts"][0]["sql"] = json::array();
    CHECK_FALSE(snapshot::manifest_from_json(empty));
    json missing = written;
    missing["parts"][0].erase("definition");
    CHECK_FALSE(snapshot::manifest_from_json(missing));
    json functions = written;
    functions["parts"][0]["functions"] = "none";
    CHECK_FALSE(snapshot::manifest_from_json(functions));
    json older = written;
    older["version"] = 3;  // a version 3 reader never looks at "parts"
    Result<snapshot::Manifest> v3 = snapshot::manifest_from_json(older);
    REQUIRE(v3);
    CHECK(v3->parts.empty());
  }
}

TEST_CASE("a manifest with functions, types, sequences or extensions is version 5", "[snapshot]") {
  snapshot::Manifest m = one_table(content::CopyFormat::binary);
  snapshot::SavedObject o;
  o.statement = 2;
  o.kind = "sequence";
  o.name = "util.\"Ticket\"";
  o.schema = "util";
  o.definition = "CREATE SEQUENCE util.\"Ticket\" AS bigint INCREMENT BY 1 MINVALUE 1";
  o.sql = {o.definition, "SELECT setval('util.\"Ticket\"', 41)"};
  m.objects.push_back(o);
  const json written = snapshot::to_json(m);
  CHECK(written["version"] == 5);
  CHECK(written["parts"] == json::array());
  Result<snapshot::Manifest> back = snapshot::manifest_from_json(written);
  REQUIRE(back);
  REQUIRE(back->objects.size() == 1);
  const snapshot::SavedObject& read = back->objects[0];
  CHECK(read.statement == 2);
  CHECK(read.kind == "sequence");
  CHECK(read.name == o.name);
  CHECK(read.schema == "util");
  CHECK(read.definition == o.definition);
  CHECK(read.sql == o.sql);

  SECTION("an unknown kind, empty SQL or a missing key is refused") {
    json kind = written;
    kind["objects"][0]["kind"] = "operator";
    Result<snapshot::Manifest> refused = snapshot::manifest_from_json(kind);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message() == "object kind \"operator\" is unknown");
    json empty = written;
    empty["objects"][0]["sql"] = json::array();
    CHECK_FALSE(snapshot::manifest_from_json(empty));
    json missing = written;
    missing["objects"][0].erase("schema");
    CHECK_FALSE(snapshot::manifest_from_json(missing));
    json none = written;
    none.erase("objects");
    CHECK_FALSE(snapshot::manifest_from_json(none));
  }
}
