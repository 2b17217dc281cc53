#include <catch2/catch.hpp>

#include "safedb/content/content.h"
#include "safedb/crypto/hash.h"
#include "safedb/db/connection.h"
#include "support/pg_cluster.h"

using namespace safedb;

namespace {

db::Connection connect(const std::string& dbname) {
  Result<db::Connection> conn = db::Connection::open(test::conninfo(dbname));
  if (!conn) FAIL(conn.error().message());
  return std::move(conn).value();
}

void run(db::Connection& conn, std::string_view sql) {
  if (Result<db::QueryResult> r = conn.exec(sql); !r)
    FAIL(std::string(sql) << ": " << r.error().message());
}

std::vector<content::TableDigest> digest(db::Connection& conn) {
  util::Progress quiet;
  REQUIRE(content::pin_text_output(conn));
  Result<std::vector<content::TableDigest>> d = content::digest_database(conn, quiet);
  if (!d) FAIL(d.error().message());
  return std::move(d).value();
}

}  // namespace

TEST_CASE("COPY out streams every row and COPY in loads them back", "[pg][db]") {
  db::Connection conn = connect(test::create_database());
  run(conn, "CREATE TABLE t (id int, v text); CREATE TABLE u (id int, v text)");
  run(conn, "INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 1000) g");
  std::string all;
  Result<std::int64_t> out = conn.copy_out("COPY t TO STDOUT", [&](std::string_view row) {
    all += row;
    return true;
  });
  REQUIRE(out);
  CHECK(*out == 1000);
  CHECK(all.starts_with("1\trow 1\n"));
  bool sent = false;
  Result<std::int64_t> in =
      conn.copy_in("COPY u FROM STDIN", [&](std::string& chunk) -> Result<bool> {
        chunk = sent ? "" : all;
        sent = true;
        return false;
      });
  REQUIRE(in);
  CHECK(*in == 1000);
  Result<db::QueryResult> same = conn.exec("SELECT count(*) FROM (TABLE t EXCEPT ALL TABLE u) x");
  REQUIRE(same);
  CHECK(same->at(0, 0) == std::optional<std::string>("0"));
}

TEST_CASE("a reader can stop a COPY early and the session stays usable", "[pg][db]") {
  db::Connection conn = connect(test::create_database());
  run(conn, "CREATE TABLE t AS SELECT g FROM generate_series(1, 100000) g");
  int seen = 0;
  Result<std::int64_t> out = conn.copy_out(
      "COPY t TO STDOUT", [&](std::string_view) { return ++seen < 10; }, "disk full");
  REQUIRE_FALSE(out);
  CHECK(out.error().message().find("disk full") != std::string::npos);
  CHECK(seen == 10);
  CHECK(conn.exec("SELECT 1"));
}

TEST_CASE("COPY errors and a failing source leave nothing half-loaded", "[pg][db]") {
  db::Connection conn = connect(test::create_database());
  run(conn, "CREATE TABLE t (id int)");
  Result<std::int64_t> missing =
      conn.copy_out("COPY nowhere TO STDOUT", [](std::string_view) { return true; });
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message().find("nowhere") != std::string::npos);
  Result<std::int64_t> not_copy = conn.copy_out("SELECT 1", [](std::string_view) { return true; });
  CHECK_FALSE(not_copy);
  int calls = 0;
  Result<std::int64_t> failed =
      conn.copy_in("COPY t FROM STDIN", [&](std::string& chunk) -> Result<bool> {
        if (++calls == 1) {
          chunk = "1\n2\n";
          return true;
        }
        return Error::input("snapshot file truncated");
      });
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message() == "snapshot file truncated");
  Result<db::QueryResult> count = conn.exec("SELECT count(*) FROM t");
  REQUIRE(count);
  CHECK(count->at(0, 0) == std::optional<std::string>("0"));
  Result<std::int64_t> bad_row =
      conn.copy_in("COPY t FROM STDIN", [](std::string& chunk) -> Result<bool> {
        chunk = "not a number\n";
        return false;
      });
  REQUIRE_FALSE(bad_row);
  CHECK(bad_row.error().message().find("invalid input syntax") != std::string::npos);
  CHECK(conn.exec("SELECT 1"));
}

TEST_CASE("content digests agree on equal data in any order and any session settings",
          "[pg][content]") {
  db::Connection a = connect(test::create_database());
  db::Connection b = connect(test::create_database());
  const char* schema =
      "CREATE TABLE m (id int, at timestamptz, f float8, b bytea, i interval, d date);"
      "CREATE SCHEMA \"Odd Schema\"; CREATE TABLE \"Odd Schema\".\"Mixed\" (v text)";
  run(a, schema);
  run(b, schema);
  run(a,
      "SET TimeZone = 'Asia/Tokyo'; SET DateStyle = 'German'; SET extra_float_digits = -3;"
      "INSERT INTO m SELECT g, '2026-01-01 00:00+00'::timestamptz + g * interval '1 hour', g / 3.0,"
      " '\\x00ff', g * interval '1 minute', date '2026-01-01' + g FROM generate_series(1, 500) g;"
      "INSERT INTO \"Odd Schema\".\"Mixed\" VALUES ('x'), ('y')");
  run(b,
      "INSERT INTO m SELECT g, '2026-01-01 00:00+00'::timestamptz + g * interval '1 hour', g / 3.0,"
      " '\\x00ff', g * interval '1 minute', date '2026-01-01' + g FROM generate_series(500, 1, -1) "
      "g;"
      "INSERT INTO \"Odd Schema\".\"Mixed\" VALUES ('y'), ('x')");
  run(a,
      "SET TimeZone = 'America/New_York'; SET DateStyle = 'SQL, DMY'; SET bytea_output = 'escape'");
  const auto da = digest(a);
  const auto db_ = digest(b);
  REQUIRE(da.size() == 2);
  CHECK(da[0].qualified() == "Odd Schema.Mixed");
  CHECK(da[1].qualified() == "public.m");
  CHECK(da[1].rows == 500);
  CHECK(content::compare(da, db_).empty());

  SECTION("a duplicate row, a changed value and a missing table are each reported") {
    run(b, "INSERT INTO \"Odd Schema\".\"Mixed\" VALUES ('x')");
    run(b, "UPDATE m SET f = f + 1e-12 WHERE id = 7");
    run(b, "CREATE TABLE extra (x int)");
    const auto diff = content::compare(da, digest(b));
    REQUIRE(diff.size() == 3);
    CHECK(diff[0].table == "Odd Schema.Mixed");
    CHECK(diff[0].what == "rows: 2 expected, 3 found");
    CHECK(diff[1].table == "public.m");
    CHECK(diff[1].what.starts_with("content differs (500 rows"));
    CHECK(diff[2].table == "public.extra");
    CHECK(diff[2].what.starts_with("not expected"));
    const auto missing = content::compare(digest(b), da);
    REQUIRE(missing.size() == 3);
    CHECK(missing[1].table == "public.extra");
    CHECK(missing[1].what == "missing (0 rows expected)");
  }
}

TEST_CASE("hash_copy of many rows is the multiset sum of each row's SHA-256, and its tee sees them",
          "[pg][content]") {
  db::Connection conn = connect(test::create_database());
  REQUIRE(content::pin_text_output(conn));
  run(conn,
      "CREATE TABLE t AS SELECT g AS id, repeat(md5(g::text), g % 7) AS v FROM "
      "generate_series(1, 60000) g");
  const std::string sql = "COPY t TO STDOUT";
  // The reference: every row hashed here, one at a time, as it arrives.
  crypto::MultisetHash expected;
  std::string all;
  REQUIRE(conn.copy_out(sql, [&](std::string_view row) {
    expected.add(row);
    all += row;
    return true;
  }));
  REQUIRE(all.size() > 4 * 1024 * 1024);  // many batches: hashed on the second thread

  content::TableDigest digest;
  util::Progress quiet;
  std::string teed;
  bool whole_rows = true;
  REQUIRE(content::hash_copy(conn, sql, content::CopyFormat::text, digest, quiet,
                             [&](std::string_view rows) {
                               whole_rows = whole_rows && rows.ends_with('\n');
                               teed += rows;
                               return true;
                             }));
  CHECK(digest.rows == 60000);
  CHECK(digest.bytes == all.size());
  CHECK(digest.hash == expected.hex());
  CHECK(whole_rows);
  CHECK(teed == all);

  SECTION("a tee that stops fails the hash with its reason and the session stays usable") {
    std::size_t calls = 0;
    Status stopped = content::hash_copy(
        conn, sql, content::CopyFormat::text, digest, quiet,
        [&](std::string_view) { return ++calls < 3; }, "disk full");
    REQUIRE_FALSE(stopped);
    CHECK(stopped.error().message().find("disk full") != std::string::npos);
    CHECK(calls == 3);
    CHECK(conn.exec("SELECT 1"));
  }
}

TEST_CASE("a binary COPY hashes each tuple, and equal data hashes equal in any order and session",
          "[pg][content]") {
  db::Connection a = connect(test::create_database());
  db::Connection b = connect(test::create_database());
  const char* schema =
      "CREATE TYPE pair AS (x int, y text); CREATE DOMAIN positive AS numeric CHECK (VALUE > 0);"
      "CREATE TABLE m (id int, at timestamptz, f float8, n positive, tags text[], p pair, "
      "r int4range, j jsonb, note text)";
  const char* rows =
      "SELECT g, '2026-01-01 00:00+00'::timestamptz + g * interval '1 hour', g / 3.0, g * 1.5,"
      " ARRAY['t' || g, NULL], ROW(g, 'y' || g)::pair, int4range(g, g + 10),"
      " jsonb_build_object('k', g), CASE WHEN g % 5 = 0 THEN NULL ELSE repeat('n', g % 90) END";
  run(a, schema);
  run(b, schema);
  run(a, std::string("SET TimeZone = 'Asia/Tokyo'; INSERT INTO m ") + rows +
             " FROM generate_series(1, 20000) g");
  run(b, std::string("INSERT INTO m ") + rows + " FROM generate_series(20000, 1, -1) g");
  run(a, "SET TimeZone = 'America/New_York'; SET DateStyle = 'SQL, DMY'");
  REQUIRE(content::pin_text_output(b));
  const std::string sql = "COPY m TO STDOUT (FORMAT binary)";

  // The reference, from COPY's messages: the first starts with the 19-byte
  // header, each holds one tuple, the last is the 2-byte trailer.
  crypto::MultisetHash expected;
  std::vector<std::string> messages;
  REQUIRE(b.copy_out(sql, [&](std::string_view m) {
    messages.emplace_back(m);
    return true;
  }));
  REQUIRE(messages.size() == 20001);
  REQUIRE(messages.back() == std::string("\xff\xff"));
  for (std::size_t i = 0; i + 1 < messages.size(); ++i)
    expected.add(std::string_view(messages[i]).substr(i == 0 ? 19 : 0));

  util::Progress quiet;
  content::TableDigest da;
  content::TableDigest db_;
  REQUIRE(content::hash_copy(a, sql, content::CopyFormat::binary, da, quiet));
  REQUIRE(content::hash_copy(b, sql, content::CopyFormat::binary, db_, quiet));
  CHECK(db_.rows == 20000);
  CHECK(db_.hash == expected.hex());
  CHECK(da.hash == db_.hash);
  CHECK(da.bytes == db_.bytes);

  SECTION("one changed value changes the hash") {
    run(b, "UPDATE m SET note = note || '.' WHERE id = 7");
    content::TableDigest changed;
    REQUIRE(content::hash_copy(b, sql, content::CopyFormat::binary, changed, quiet));
    CHECK(changed.rows == 20000);
    CHECK(changed.hash != da.hash);
  }
  SECTION("text output read as binary is refused") {
    content::TableDigest wrong;
    Status refused =
        content::hash_copy(b, "COPY m TO STDOUT", content::CopyFormat::binary, wrong, quiet);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message().find("binary COPY output is malformed") != std::string::npos);
    CHECK(b.exec("SELECT 1"));
  }
}

TEST_CASE("a table of duplicate rows without a key hashes differently from its distinct rows",
          "[pg][content]") {
  db::Connection conn = connect(test::create_database());
  run(conn,
      "CREATE TABLE dup (v text); INSERT INTO dup VALUES ('a'), ('a'), ('b'), ('b');"
      "CREATE TABLE uniq (v text); INSERT INTO uniq VALUES ('a'), ('b')");
  const auto d = digest(conn);
  REQUIRE(d.size() == 2);
  CHECK(d[0].hash != d[1].hash);
  CHECK(d[0].rows == 4);
}

TEST_CASE("a digest round-trips through its JSON form and bad entries are named", "[content]") {
  content::TableDigest d{"public", "t", {"id integer"}, 3, 12, std::string(64, 'a')};
  Result<content::TableDigest> back = content::table_digest_from_json(content::to_json(d));
  REQUIRE(back);
  CHECK(back->qualified() == "public.t");
  CHECK(back->hash == d.hash);
  nlohmann::json bad = content::to_json(d);
  bad["hash"] = "short";
  Result<content::TableDigest> r = content::table_digest_from_json(bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "table entry: \"hash\" is missing or has the wrong type");
}
