#pragma once

// Internal to the snapshot module: the objects without rows that a DROP
// takes with it and nothing else saved brings back (docs/snapshots.md,
// "Functions, types, sequences and extensions"). DROP SCHEMA ... CASCADE
// drops the schema itself, its default privileges, functions, procedures,
// types and sequences; DROP TYPE, DROP SEQUENCE, DROP FUNCTION and DROP
// EXTENSION what they name; the snapshot keeps the SQL that creates each
// again. Anything else such a statement drops (an operator, an aggregate, a
// cast, a collation, ...) cannot be saved, and blocks the run.

#include <optional>
#include <string>
#include <vector>

#include "safedb/db/connection.h"
#include "safedb/snapshot/snapshot.h"
#include "safedb/sql/analysis.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// What statement `st` drops beside relations and their parts.
struct DroppedObjects {
  // In the order they can be created (Manifest::objects).
  std::vector<SavedObject> saved;
  // What no snapshot can bring back, as PostgreSQL describes each object
  // ("operator s.===(s.pos,s.pos)", "function s.total(integer)", ...).
  std::vector<std::string> unsaved;
};

// Reads, in the run's transaction before statement `st`, the schemas,
// default privileges, functions, procedures, types, sequences and
// extensions it drops that no saved relation or part brings back, and
// everything it drops that nothing can bring back. What comes back with
// another object is left out of both: the relations, columns, indexes,
// constraints, defaults, triggers, policies, rules and statistics the
// snapshot saves, the objects internal to another one (an array type, a row
// type, a range's constructors), the members of a dropped extension, the
// sequences owned by a dropped column, and the publication memberships of a
// table dropped whole. Fails (the server's report in conn.last_error())
// when the catalog cannot be read.
Result<DroppedObjects> read_objects(db::Connection& conn, const sql::Statement& st);

// What the catalog prints now for the object of kind `o.kind` named
// `o.name`, as read_objects() saved it; nullopt when there is none. For a
// session outside a transaction block (it sets the session's search_path
// for the read, then back).
Result<std::optional<std::string>> object_definition(db::Connection& conn, const SavedObject& o);

}  // namespace safedb::snapshot
