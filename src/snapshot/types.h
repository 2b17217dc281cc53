#pragma once

// Internal to the snapshot module: the user-defined types a saved table's
// columns use, which a restore may have to recreate (a DROP SCHEMA drops the
// enums and domains of the schema with its tables), and how rows of a column
// whose type is gone are held until it is back (docs/snapshots.md, "types").

#include <nlohmann/json.hpp>

#include <string>

#include "safedb/content/content.h"
#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// The user-defined types (pg_type oid >= 16384) that the columns of table
// `oid` use, and every type inside those (array elements, domain bases,
// composite attributes, range subtypes), innermost first, as a JSON array
// of objects: "name" (format_type, qualified when the session's search_path
// is empty), "schema" (its name, unquoted), and "sql" (the statements that create it and
// give it its owner, comment and privileges) for enums, composite types, domains and ranges; for
// any other type "sql" is empty and "why" says what it is (a member of an
// extension, a table's row type, a base type); for a table's row type,
// "table" names the table, whose recreation brings the type back; for a
// member of an extension, "extension" has its "name", "version" and
// "schema", which a restore can create it again with.
Result<nlohmann::json> read_types(db::Connection& conn, const std::string& oid);

// The CREATE TYPE (enum, composite, range) or CREATE DOMAIN statement of
// the pg_type row `t`, as an SQL expression; NULL for any other kind of
// type. The query must LEFT JOIN pg_class rel ON rel.oid = t.typrelid,
// pg_type bt ON bt.oid = t.typbasetype and pg_range r ON r.rngtypid = t.oid.
std::string create_type_sql();

// The privileges on an object (`on`: an SQL expression giving "FUNCTION",
// "TYPE", ...; `name`: one giving its SQL name) that its access control list
// `acl` grants to others than `owner`, as a text[] SQL expression: REVOKE ALL
// FROM PUBLIC, then a GRANT for each. Empty for a NULL list: the default
// privileges, which creating the object gives again.
std::string object_grants_sql(const char* on, const char* name, const char* acl, const char* owner);

// "COMMENT ON <on> <name> IS '...'" for the object `oid` of `catalog`, as an
// SQL expression; NULL when it has no comment.
std::string object_comment_sql(const char* on, const char* name, const char* oid,
                               const char* catalog);

// The user-defined functions and procedures that the defaults, constraints,
// triggers, indexes and policies of table `oid` call, as a JSON array of
// objects: "name" (regprocedure, the signature), "schema", and "sql" (its
// CREATE OR REPLACE, its owner, comment and privileges); for an aggregate or a member of an
// extension, "sql" is empty and "why" says what it is ("extension" as above).
Result<nlohmann::json> read_functions(db::Connection& conn, const std::string& oid);

// The same for one catalog object, named by pg_depend's classid and objid
// (decimal oids): what an index, constraint, trigger, ... calls.
Result<nlohmann::json> read_functions_of(db::Connection& conn, const std::string& classid,
                                         const std::string& objid);

// The COPY format the rows of the table with oid `oid` are saved in: binary
// when every type its columns use, and every type inside those, has binary
// send and receive functions and puts no user-defined type's oid into the
// binary data (arrays and composites of built-in types only; enums and
// domains are sent as their labels and base values); else text
// (multiranges always take text). An oid in the data would not match the
// type recreated by a restore. An error in a binary COPY would abort the
// run's transaction, so this is decided from the catalog before it.
Result<content::CopyFormat> saved_format(db::Connection& conn, const std::string& oid);

// The SQL of a column's "stage_type" in the definition: the built-in type
// that holds the column's saved rows, in the snapshot's binary format, while
// its own type does not exist (text for an enum, the base type for a domain
// over a built-in type); NULL for a built-in column type. Text-format
// snapshots hold such a column as text. Uses the pg_attribute alias `a`.
extern const char* const kStageTypeSql;

}  // namespace safedb::snapshot
