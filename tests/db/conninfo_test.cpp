#include <catch2/catch.hpp>

#include "safedb/db/conninfo.h"

using namespace safedb;

TEST_CASE("a connection string can be pointed at another database", "[db]") {
  Result<std::string> kv = db::with_database("host=/tmp port=5433 dbname=app user=ops", "scratch");
  REQUIRE(kv);
  CHECK(*kv == "user='ops' host='/tmp' port='5433' dbname='scratch'");
  Result<std::string> uri =
      db::with_database("postgresql://ops@db.example:6000/app?sslmode=require", "safedb_verify_1");
  REQUIRE(uri);
  Result<db::ConninfoSummary> s = db::inspect_conninfo(*uri);
  REQUIRE(s);
  CHECK(s->host == "db.example");
  CHECK(s->port == "6000");
  CHECK(s->user == "ops");
  CHECK(s->dbname == "safedb_verify_1");
  CHECK(uri->find("sslmode='require'") != std::string::npos);
  Result<std::string> quoted = db::with_database("", "it's \\ odd");
  REQUIRE(quoted);
  CHECK(*quoted == "dbname='it\\'s \\\\ odd'");
  CHECK(db::inspect_conninfo(*quoted)->dbname == "it's \\ odd");
  Result<std::string> broken = db::with_database("postgresql://[::1", "x");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().message().starts_with("connection string does not parse"));
}
