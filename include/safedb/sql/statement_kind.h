#pragma once

#include <string>
#include <string_view>

namespace safedb::sql {

// Statement kinds as Statement::kind spells them: the grammar's parse-node
// names that end in "Stmt" ("DeleteStmt", "DropdbStmt"), and
// "PsqlMetaCommand" for psql backslash commands. Case-sensitive.
bool is_statement_kind(std::string_view name);

// The known kind closest to `name` (same letters ignoring case, or a small
// typo), for a "did you mean"; empty when none is close.
std::string closest_statement_kind(std::string_view name);

}  // namespace safedb::sql
