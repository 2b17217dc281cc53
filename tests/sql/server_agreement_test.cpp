// Holds the analyser's claims about each statement (Statement::lock, the
// strongest table-level lock on an existing relation, and the
// non-transactional effect) against what a real PostgreSQL does.

#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "safedb/db/connection.h"
#include "safedb/sql/analysis.h"
#include "sql/server_agreement_corpus.h"
#include "support/lock_observer.h"
#include "support/pg_cluster.h"

using namespace safedb;
using namespace safedb::test::agreement;

namespace Catch {
template <>
struct StringMaker<InTransaction> {
  static std::string convert(InTransaction t) {
    return t == InTransaction::runs ? "runs in a transaction" : "refused in a transaction (25001)";
  }
};
}  // namespace Catch

namespace {

struct Claim {
  sql::LockMode lock = sql::LockMode::none;
  InTransaction in_transaction = InTransaction::runs;
};

Claim analyser_claim(std::string_view statement) {
  Result<sql::Source> source =
      sql::Source::from_text("agreement.sql", std::string(statement) + ";\n");
  REQUIRE(source.ok());
  Result<sql::FileAnalysis> analysis = sql::analyse(*source);
  if (!analysis) FAIL(analysis.error().message());
  REQUIRE(analysis->statements.size() == 1);
  const sql::Statement& s = analysis->statements[0];
  return {s.lock, s.effects.has(sql::Effect::non_transactional) ? InTransaction::refused
                                                                : InTransaction::runs};
}

db::Connection connect(const std::string& conninfo) {
  Result<db::Connection> conn = db::Connection::open(conninfo);
  if (!conn) FAIL(conn.error().message());
  return std::move(conn).value();
}

// A template database holding kSchema, and copies of it: one for statements
// run inside BEGIN ... ROLLBACK, and a fresh one for every statement that
// must really run because PostgreSQL refuses it in a transaction block.
class Databases {
 public:
  Databases() : admin_(connect(test::conninfo())) {
    template_ = test::create_database();
    db::Connection setup = connect(test::conninfo(template_));
    Result<db::QueryResult> created = setup.exec(kSchema);
    if (!created) FAIL("schema: " << created.error().message());
  }

  std::string copy() {
    const std::string name = template_ + "_" + std::to_string(++copies_);
    Result<db::QueryResult> r = admin_.exec("CREATE DATABASE " + name + " TEMPLATE " + template_);
    if (!r) FAIL(r.error().message());
    return name;
  }

 private:
  db::Connection admin_;
  std::string template_;
  int copies_ = 0;
};

struct ServerBehaviour {
  InTransaction in_transaction = InTransaction::runs;
  std::optional<sql::LockMode> lock;  // nullopt: refused, and no probe table to measure on
};

// Runs the statement inside BEGIN; if PostgreSQL refuses that, measures its
// lock on the case's probe table from another session in a fresh copy.
ServerBehaviour measure(const Case& c, db::Connection& scratch, Databases& databases) {
  test::ObservedLock in_transaction = test::observe_in_transaction(scratch, c.sql);
  if (in_transaction.error_sqlstate.empty()) return {InTransaction::runs, in_transaction.mode};
  if (in_transaction.error_sqlstate != "25001") FAIL("PostgreSQL failed: " << in_transaction.error);
  if (c.probe.empty()) return {InTransaction::refused, std::nullopt};
  test::ObservedLock probed =
      test::observe_by_blocking(test::conninfo(databases.copy()), c.sql, std::string(c.probe));
  if (!probed.error.empty()) FAIL("PostgreSQL failed outside a transaction: " << probed.error);
  return {InTransaction::refused, probed.mode};
}

}  // namespace

TEST_CASE("the analyser's lock and transaction claims match PostgreSQL", "[pg][sql]") {
  Databases databases;
  db::Connection scratch = connect(test::conninfo(databases.copy()));
  for (const Case& c : kCorpus) {
    INFO(c.sql);
    const ServerBehaviour server = measure(c, scratch, databases);
    CHECK(server.in_transaction == c.in_transaction);
    CHECK(test::lock_name(server.lock) == test::lock_name(c.lock));

    const Claim claim = analyser_claim(c.sql);
    CHECK(claim.in_transaction == c.in_transaction);
    if (c.lock) CHECK(test::lock_name(claim.lock) == test::lock_name(c.lock));
  }
}

TEST_CASE("PostgreSQL does what the analyser's known disagreements record", "[pg][sql]") {
  // The analyser's side is not checked here: these statements move to
  // kCorpus as the analyser learns them.
  Databases databases;
  db::Connection scratch = connect(test::conninfo(databases.copy()));
  for (const Case& c : kKnownDisagreements) {
    INFO(c.sql);
    const ServerBehaviour server = measure(c, scratch, databases);
    CHECK(server.in_transaction == c.in_transaction);
    CHECK(test::lock_name(server.lock) == test::lock_name(c.lock));
  }
}
