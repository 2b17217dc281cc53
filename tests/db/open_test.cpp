#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <string>

#include "safedb/db/connection.h"
#include "support/pg_cluster.h"

using namespace safedb;
using namespace safedb::db;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// The one-line message of a failed open().
std::string open_failure(const std::string& conninfo) {
  Result<Connection> conn = Connection::open(conninfo);
  if (conn) FAIL("connected unexpectedly to " << conninfo);
  CHECK(conn.error().code() == ExitCode::usage);
  CHECK(conn.error().message().find('\n') == std::string::npos);
  return conn.error().message();
}

// Sets an environment variable for one scope, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("a closed TCP port is reported as an unreachable server", "[pg][db]") {
  const int port = test::closed_tcp_port();
  const std::string message =
      open_failure("host=127.0.0.1 port=" + std::to_string(port) + " dbname=app");
  CHECK(message == "cannot connect to PostgreSQL at 127.0.0.1:" + std::to_string(port) +
                       ", database \"app\": server unreachable (Connection refused)");
}

TEST_CASE("a missing Unix socket is reported as an unreachable server", "[pg][db]") {
  const std::string message = open_failure("host=/nonexistent/folder port=5999 dbname=app");
  CHECK_THAT(message, StartsWith("cannot connect to PostgreSQL at socket "
                                 "/nonexistent/folder/.s.PGSQL.5999, database \"app\": "
                                 "server unreachable"));
}

TEST_CASE("a wrong password over TCP is reported as failed authentication", "[pg][db]") {
  const std::string db = test::create_database();
  const std::string message =
      open_failure(test::tcp_conninfo(test::kPasswordRole, "hunter2-wrong", db));
  CHECK(message ==
        "cannot connect to PostgreSQL at 127.0.0.1:" + std::to_string(test::cluster_port()) +
            ", database \"" + db + "\": authentication failed for user \"" + test::kPasswordRole +
            "\" (wrong password)");
  CHECK_THAT(message, !Contains("hunter2"));
}

TEST_CASE("the right password over TCP connects", "[pg][db]") {
  const std::string db = test::create_database();
  Result<Connection> conn =
      Connection::open(test::tcp_conninfo(test::kPasswordRole, test::kPasswordRolePassword, db));
  REQUIRE(conn.ok());
  Result<QueryResult> who = conn->exec("SELECT current_user, current_database()");
  REQUIRE(who.ok());
  CHECK(who->at(0, 0) == std::optional<std::string>(test::kPasswordRole));
  CHECK(who->at(0, 1) == std::optional<std::string>(db));
}

TEST_CASE("a database that does not exist is named in the failure", "[pg][db]") {
  const std::string message = open_failure(test::conninfo("no_such_db"));
  CHECK(message == "cannot connect to PostgreSQL at socket " + test::cluster_socket_dir() +
                       "/.s.PGSQL." + std::to_string(test::cluster_port()) +
                       ", database \"no_such_db\": database \"no_such_db\" does not exist");
}

TEST_CASE("a malformed connection string is refused before connecting", "[pg][db]") {
  CHECK(open_failure("host=localhost port") ==
        "bad connection string: missing \"=\" after \"port\" in connection info string");
  CHECK(open_failure("hots=localhost") ==
        "bad connection string: invalid connection option \"hots\"");
  SECTION("parts of a string that may hold a password are not repeated") {
    const std::string message = open_failure("postgresql://u:s3cret@[::1/db");
    CHECK_THAT(message, StartsWith("bad connection string: "));
    CHECK_THAT(message, !Contains("s3cret"));
    CHECK_THAT(open_failure("password=s3cret x"), !Contains("s3cret"));
  }
}

TEST_CASE("an empty connection string uses the PG* environment", "[pg][db]") {
  const std::string db = test::create_database();
  ScopedEnv host("PGHOST", test::cluster_socket_dir());
  ScopedEnv port("PGPORT", std::to_string(test::cluster_port()));
  ScopedEnv user("PGUSER", "postgres");
  ScopedEnv database("PGDATABASE", db);
  Result<Connection> conn = Connection::open("");
  REQUIRE(conn.ok());
  Result<QueryResult> r = conn->exec("SELECT current_database()");
  REQUIRE(r.ok());
  CHECK(r->at(0, 0) == std::optional<std::string>(db));
}

TEST_CASE("identify() names the cluster, database and server", "[pg][db]") {
  const std::string db = test::create_database();
  Result<Connection> conn = Connection::open(test::conninfo(db));
  REQUIRE(conn.ok());
  Result<TargetIdentity> id = conn->identify();
  REQUIRE(id.ok());
  CHECK(id->system_identifier.size() >= 18);
  CHECK(id->system_identifier.size() <= 20);
  CHECK(id->system_identifier.find_first_not_of("0123456789") == std::string::npos);
  CHECK(id->database == db);
  CHECK(id->host == test::cluster_socket_dir());
  CHECK(id->port == test::cluster_port());
  CHECK(id->server_version_num >= 100000);
  CHECK_THAT(id->server_version, StartsWith(std::to_string(id->server_version_num / 10000) + "."));
  CHECK_FALSE(id->in_recovery);

  SECTION("every database of one cluster shares the system identifier") {
    Result<Connection> other = Connection::open(test::conninfo("postgres"));
    REQUIRE(other.ok());
    Result<TargetIdentity> other_id = other->identify();
    REQUIRE(other_id.ok());
    CHECK(other_id->system_identifier == id->system_identifier);
    CHECK(other_id->database == "postgres");
  }
  SECTION("a role that is not a superuser gets the same identity over TCP") {
    Result<Connection> tcp =
        Connection::open(test::tcp_conninfo(test::kPasswordRole, test::kPasswordRolePassword, db));
    REQUIRE(tcp.ok());
    Result<TargetIdentity> tcp_id = tcp->identify();
    if (!tcp_id) FAIL(tcp_id.error().message());
    CHECK(tcp_id->system_identifier == id->system_identifier);
    CHECK(tcp_id->host == "127.0.0.1");
    CHECK(tcp_id->describe() ==
          "cluster " + id->system_identifier + ", database \"" + db + "\" at host 127.0.0.1 port " +
              std::to_string(test::cluster_port()) + " (PostgreSQL " + id->server_version + ")");
  }
}
