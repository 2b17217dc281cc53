#pragma once

// Internal to the snapshot module: the rows of other tables that foreign
// keys change along with a statement's own (ON DELETE CASCADE / SET NULL /
// SET DEFAULT, and ON UPDATE ... when the statement sets a referenced
// column), which a snapshot must save too.

#include <optional>
#include <string>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// Rows of a table, as SQL: `FROM {from} WHERE {where}` (no WHERE when empty).
struct RowSource {
  std::string from;   // e.g. `ONLY "public"."customers" c`
  std::string where;  // a predicate over `from`, or "" for every row
  std::string select(const std::string& columns) const;
};

// How a statement changes the rows of a RowSource.
struct RowChange {
  bool deletes = false;
  // The columns it sets, as catalog names; nullopt: any column.
  std::optional<std::vector<std::string>> updates = std::vector<std::string>{};
};

// The rows of one referencing table that foreign keys change.
struct CascadedTable {
  std::string oid;
  std::string sql_name;  // schema.name, quoted
  bool partitioned = false;
  std::string where;             // over the table: the rows its keys' actions reach
  bool deleted = false;          // some are deleted (ON DELETE CASCADE)
  bool updated = false;          // some are updated (SET NULL / SET DEFAULT / ON UPDATE CASCADE)
  std::vector<std::string> via;  // "orders_customer_fkey ON DELETE CASCADE", one per key
};

struct Cascades {
  std::vector<CascadedTable> tables;  // in the order reached, parents before their children
  // A key leads back to a table already reached (a table referencing itself,
  // a cycle, or two paths to one table): the rows cannot be told by a
  // predicate, and every table here, the statement's own included, must be
  // saved whole.
  bool loops = false;
};

// Follows the foreign keys that point at table `oid`, whose rows `rows`
// lose or change as `change` says, and at every table they reach in turn.
// At most `limit` tables; beyond that, fails. Fails (the server's report in
// conn.last_error()) when the catalog cannot be read.
Result<Cascades> follow_foreign_keys(db::Connection& conn, const std::string& oid,
                                     const RowSource& rows, const RowChange& change,
                                     std::size_t limit = 64);

}  // namespace safedb::snapshot
