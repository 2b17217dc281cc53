// Rows that foreign keys delete or change along with a statement's own
// (ON DELETE CASCADE / SET NULL, ON UPDATE CASCADE) are in its snapshot, and
// restore puts them back.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>

#include "support/run_fixture.h"

using nlohmann::json;
using safedb::test::content_md5;
using safedb::test::RunFixture;
using safedb::test::snapshot_policy;

namespace {

json last_snapshot(const RunFixture& f) {
  const std::vector<std::string> outcomes = f.records("outcome");
  REQUIRE_FALSE(outcomes.empty());
  return json::parse(outcomes.back())["payload"]["snapshot"];
}

// Rows saved per table ("public.orders" -> rows), and the run's id.
std::map<std::string, json> saved_tables(const json& snapshot) {
  std::map<std::string, json> out;
  for (const json& t : snapshot["tables"])
    out[t["table"].get<std::string>()] = t;
  return out;
}

// Runs `sql` (REQUIRE-d to commit); returns the run's id, and its output in `out`.
std::string run(const RunFixture& f, const std::string& sql, std::string* out = nullptr) {
  auto r = f.safedb({"run", f.file("change.sql", sql), "--target", "db"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  if (out != nullptr) *out = r.out;
  const std::vector<std::string> outcomes = f.records("outcome");
  return json::parse(outcomes.back())["payload"]["run_id"].get<std::string>();
}

void restore_in_place(const RunFixture& f, const std::string& run_id) {
  auto r = f.safedb({"restore", run_id, "--target", "db", "--in-place"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("rows that ON DELETE CASCADE and SET NULL keys change are saved and restored",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE customers (id int PRIMARY KEY, name text);"
      "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers ON DELETE "
      "CASCADE, total numeric);"
      "CREATE TABLE order_lines (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders ON "
      "DELETE CASCADE, item text);"
      "CREATE TABLE notes (id int PRIMARY KEY, customer_id int REFERENCES customers ON DELETE SET "
      "NULL, body text);"
      "CREATE TABLE untouched (id int PRIMARY KEY, customer_id int REFERENCES customers);"
      "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 100) g;"
      "INSERT INTO orders SELECT g, 1 + g % 100, g * 1.5 FROM generate_series(1, 500) g;"
      "INSERT INTO orders VALUES (501, NULL, 0);"
      "INSERT INTO order_lines SELECT g, 1 + g % 501, 'i' || g FROM generate_series(1, 1500) g;"
      "INSERT INTO notes SELECT g, 1 + g % 100, 'n' || g FROM generate_series(1, 200) g;"
      "INSERT INTO untouched SELECT g, 50 + g FROM generate_series(1, 20) g");
  const std::map<std::string, std::string> before = {{"customers", content_md5(f, "customers")},
                                                     {"orders", content_md5(f, "orders")},
                                                     {"order_lines", content_md5(f, "order_lines")},
                                                     {"notes", content_md5(f, "notes")}};
  const std::string orders = f.sql("SELECT count(*) FROM orders WHERE customer_id <= 10");
  const std::string lines = f.sql(
      "SELECT count(*) FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE "
      "customer_id <= 10)");
  const std::string notes = f.sql("SELECT count(*) FROM notes WHERE customer_id <= 10");

  std::string out;
  const std::string run_id = run(f, "DELETE FROM customers WHERE id <= 10;\n", &out);
  CHECK(out.find(" rows: the rows foreign keys reach via orders_customer_id_fkey ON DELETE "
                 "CASCADE\n") != std::string::npos);
  CHECK(f.sql("SELECT count(*) FROM notes WHERE customer_id IS NULL") == notes);
  std::map<std::string, json> saved = saved_tables(last_snapshot(f));
  REQUIRE(saved.size() == 4);  // not "untouched": its key has no action
  CHECK(saved["public.customers"]["rows"] == 10);
  CHECK(saved["public.customers"]["scope"] == "rows");
  CHECK(std::to_string(saved["public.orders"]["rows"].get<int>()) == orders);
  CHECK(saved["public.orders"]["via"] ==
        json::array({"orders_customer_id_fkey ON DELETE CASCADE"}));
  CHECK(saved["public.customers"].count("via") == 0);
  CHECK(std::to_string(saved["public.order_lines"]["rows"].get<int>()) == lines);
  CHECK(std::to_string(saved["public.notes"]["rows"].get<int>()) == notes);
  CHECK(saved["public.notes"]["via"] == json::array({"notes_customer_id_fkey ON DELETE SET NULL"}));

  restore_in_place(f, run_id);
  for (const auto& [table, md5] : before) {
    INFO(table);
    CHECK(content_md5(f, table) == md5);
  }
}

TEST_CASE("rows that ON UPDATE CASCADE changes are saved only when a referenced column is set",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE parents (id int PRIMARY KEY, code text UNIQUE NOT NULL, name text);"
      "CREATE TABLE kids (id int PRIMARY KEY, parent_code text REFERENCES parents (code) ON "
      "UPDATE CASCADE);"
      "INSERT INTO parents SELECT g, 'p' || g, 'n' FROM generate_series(1, 20) g;"
      "INSERT INTO kids SELECT g, 'p' || (1 + g % 20) FROM generate_series(1, 100) g");
  const std::string parents = content_md5(f, "parents");
  const std::string kids = content_md5(f, "kids");

  run(f, "UPDATE parents SET name = 'renamed' WHERE id <= 5;\n");
  CHECK(saved_tables(last_snapshot(f)).size() == 1);

  const std::string run_id = run(f, "UPDATE parents SET code = code || '-x' WHERE id <= 5;\n");
  std::map<std::string, json> saved = saved_tables(last_snapshot(f));
  REQUIRE(saved.size() == 2);
  CHECK(saved["public.kids"]["rows"] == 25);
  CHECK(f.sql("SELECT count(*) FROM kids WHERE parent_code LIKE '%-x'") == "25");

  restore_in_place(f, run_id);
  CHECK(f.sql("SELECT count(*) FROM kids WHERE parent_code LIKE '%-x'") == "0");
  // The first run's rename is not undone; the rest is as it was.
  CHECK(f.sql("SELECT count(*) FROM parents WHERE name = 'renamed'") == "5");
  f.sql("UPDATE parents SET name = 'n'");
  CHECK(content_md5(f, "parents") == parents);
  CHECK(content_md5(f, "kids") == kids);
}

TEST_CASE("a table whose key cascades into itself is saved whole and restored", "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  f.sql(
      "CREATE TABLE nodes (id int PRIMARY KEY, parent_id int REFERENCES nodes ON DELETE CASCADE);"
      "INSERT INTO nodes VALUES (1, NULL), (100, NULL);"
      "INSERT INTO nodes SELECT g, g / 2 FROM generate_series(2, 63) g");
  const std::string before = content_md5(f, "nodes");
  const std::string run_id = run(f, "DELETE FROM nodes WHERE id = 1;\n");
  CHECK(f.sql("SELECT count(*) FROM nodes") == "1");
  std::map<std::string, json> saved = saved_tables(last_snapshot(f));
  REQUIRE(saved.size() == 1);
  CHECK(saved["public.nodes"]["scope"] == "table");
  CHECK(saved["public.nodes"]["rows"] == 64);
  CHECK(saved["public.nodes"]["note"].get<std::string>().find("lead back to a table") !=
        std::string::npos);
  restore_in_place(f, run_id);
  CHECK(content_md5(f, "nodes") == before);
}

TEST_CASE("foreign keys reaching more tables than a snapshot follows block the run",
          "[pg][snapshot]") {
  RunFixture f;
  snapshot_policy(f);
  std::string schema = "CREATE TABLE hub (id int PRIMARY KEY); INSERT INTO hub VALUES (1);";
  for (int i = 0; i < 65; ++i) {
    schema += "CREATE TABLE spoke" + std::to_string(i) +
              " (id int PRIMARY KEY, hub_id int REFERENCES hub ON DELETE CASCADE);"
              "INSERT INTO spoke" +
              std::to_string(i) + " VALUES (1, 1);";
  }
  f.sql(schema);
  const std::string before = f.fingerprint();
  auto r = f.safedb({"run", f.file("change.sql", "DELETE FROM hub;\n"), "--target", "db"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.out.find("foreign keys reach more than 64 tables") != std::string::npos);
  CHECK(f.fingerprint() == before);
}
