#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/exec/run_report.h"

namespace safedb::exec {

// The user-visible catalog (schemas, relations with their columns, triggers
// and privileges, constraints, functions) at one moment of a transaction:
// object id -> what it is, its name, and a digest of its definition.
struct CatalogEntry {
  std::string kind;
  std::string name;
  std::string digest;
};
using CatalogSnapshot = std::map<std::string, CatalogEntry>;

// Reads the catalog as this session sees it; nullopt if the query failed.
std::optional<CatalogSnapshot> snapshot_catalog(db::Connection& conn);

// Objects created, dropped or altered (same id, other definition) between two snapshots.
std::vector<CatalogChange> compare(const CatalogSnapshot& before, const CatalogSnapshot& after);

// The relation locks this session holds now that are not in `held`; adds them to `held`.
std::vector<LockTaken> new_locks(db::Connection& conn, std::vector<LockTaken>& held);

}  // namespace safedb::exec
