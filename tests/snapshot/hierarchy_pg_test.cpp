// Columns of partitioned tables and of inheritance hierarchies: a column a
// statement drops from the parent goes from every partition and child too,
// and comes back in all of them, as pg_dump describes them before the run.
// (The columns dropped here are their tables' last: a column added back
// goes last, and the dumps compare column order too.)
#include <catch2/catch.hpp>

#include "support/run_fixture.h"

using safedb::test::content_md5;
using safedb::test::round_trip;
using safedb::test::RoundTrip;
using safedb::test::RunFixture;
using safedb::test::snapshot_policy;

TEST_CASE(
    "a column dropped from a partitioned table comes back in every partition, with the indexes "
    "on it",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE m (id int, region text, body text, note text, PRIMARY KEY (id, region))"
      " PARTITION BY LIST (region);"
      "CREATE TABLE m_eu PARTITION OF m FOR VALUES IN ('eu');"
      // Attached, not created as a partition: its columns are its own too.
      "CREATE TABLE m_us (id int NOT NULL, region text NOT NULL, body text, note text);"
      "ALTER TABLE m ATTACH PARTITION m_us FOR VALUES IN ('us');"
      "CREATE TABLE m_ap PARTITION OF m FOR VALUES IN ('jp', 'au') PARTITION BY LIST (region);"
      "CREATE TABLE m_jp PARTITION OF m_ap FOR VALUES IN ('jp');"
      "CREATE TABLE m_au PARTITION OF m_ap FOR VALUES IN ('au');"
      "CREATE INDEX m_note ON m (note) WHERE note <> '';"
      "CREATE UNIQUE INDEX m_note_region ON m (note, region);"
      "COMMENT ON COLUMN m.note IS 'a note';"
      "INSERT INTO m SELECT g, (ARRAY['eu', 'us', 'jp', 'au'])[1 + g % 4], 'b' || g % 7,"
      " 'n' || g FROM generate_series(1, 400) g");
  const std::string rows = content_md5(f, "m");
  const RoundTrip r = round_trip(
      f, "ALTER TABLE m ALTER COLUMN body TYPE varchar(40);\nALTER TABLE m DROP COLUMN note;\n");
  CHECK(content_md5(f, "m") == rows);
  CHECK(r.checks["tables"].size() == 2);
  for (const auto& check : r.checks["tables"])
    CHECK(check["result"] == "identical");
  // Built on every partition: none is left invalid waiting for the others.
  CHECK(f.sql("SELECT count(*) FILTER (WHERE NOT indisvalid) || '/' || count(*) FROM pg_index"
              " WHERE indexrelid::regclass::text LIKE 'm%note%'") == "0/12");
}

TEST_CASE(
    "a type dropped with CASCADE comes back in the columns of a partitioned table and of an "
    "inheritance hierarchy, also without a primary key",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TYPE mood AS ENUM ('ok', 'sad');"
      // No key: rows are matched by their other columns, and each partition
      // numbers its rows from the same ctid.
      "CREATE TABLE pm (region text, body text, mood mood) PARTITION BY LIST (region);"
      "CREATE TABLE pm_eu PARTITION OF pm FOR VALUES IN ('eu');"
      "CREATE TABLE pm_us (region text, body text, mood mood);"
      "ALTER TABLE pm ATTACH PARTITION pm_us FOR VALUES IN ('us');"
      "INSERT INTO pm SELECT r, 'same', CASE WHEN r = 'eu' AND g % 5 > 0 THEN 'ok'"
      " ELSE 'sad' END::mood FROM generate_series(1, 40) g, unnest(ARRAY['eu', 'us']) r;"
      "CREATE TABLE p (id int PRIMARY KEY, body text, mood mood);"
      "CREATE TABLE c1 (extra int) INHERITS (p);"
      // c2 declares the column itself too: it keeps it as its own.
      "CREATE TABLE c2 (mood mood) INHERITS (p);"
      "INSERT INTO p SELECT g, 'b' || g, (ARRAY['ok', 'sad'])[1 + g % 2]::mood"
      " FROM generate_series(1, 10) g;"
      "INSERT INTO c1 SELECT g, 'b' || g, (ARRAY['ok', 'sad'])[1 + g % 2]::mood, g"
      " FROM generate_series(11, 20) g;"
      "INSERT INTO c2 SELECT g, 'b' || g, (ARRAY['ok', 'sad'])[1 + g % 2]::mood"
      " FROM generate_series(21, 30) g");
  const std::string pm = content_md5(f, "pm");
  const std::string p = content_md5(f, "p");
  // In c1 the column comes back after c1's own column: compared by name.
  const std::string c1 = content_md5(f, "c1", "t.id, t.body, t.mood, t.extra");
  const RoundTrip r = round_trip(f, "DROP TYPE mood CASCADE;\n");
  CHECK(content_md5(f, "pm") == pm);
  CHECK(content_md5(f, "p") == p);
  CHECK(content_md5(f, "c1", "t.id, t.body, t.mood, t.extra") == c1);
  // Saved once each: pm with its partitions' rows, p with c1's and c2's,
  // and c2 again for its own column.
  std::vector<std::string> saved;
  for (const auto& t : r.run.snapshot["tables"])
    saved.push_back(t["table"].get<std::string>());
  CHECK(saved == std::vector<std::string>{"public.c2", "public.p", "public.pm"});
}

TEST_CASE(
    "an UPDATE through an inheritance parent is reverted in its children, and a DELETE through "
    "one is refused",
    "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE p (id int PRIMARY KEY, body text);"
      "CREATE TABLE c1 (extra int) INHERITS (p);"
      "INSERT INTO p SELECT g, 'b' || g FROM generate_series(1, 10) g;"
      "INSERT INTO c1 SELECT g, 'b' || g, g FROM generate_series(11, 20) g");
  const std::string p = content_md5(f, "ONLY p");
  const std::string c1 = content_md5(f, "c1");
  round_trip(f, "UPDATE p SET body = 'x' WHERE id % 2 = 0;\n");
  CHECK(content_md5(f, "ONLY p") == p);
  CHECK(content_md5(f, "c1") == c1);

  auto r =
      f.safedb({"run", f.file("delete.sql", "DELETE FROM p WHERE id > 5;\n"), "--target", "db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out + r.err, Catch::Contains("public.p has inheritance children, and rows a "
                                            "snapshot reads through it would go back into it, "
                                            "not where they were"));
  CHECK(f.sql("SELECT count(*) FROM p") == "20");
}
