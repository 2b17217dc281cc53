#pragma once

// Internal interface of the classifier: one function per family of
// statements, all filling a Scope. Include this header LAST (see pg_api.h).

#include <string>

#include "sql/pg_api.h"
#include "sql/scope.h"

namespace safedb::sql {

// Dispatches on the node tag; statements it does not know are opaque.
void classify_statement(const Node* node, Scope& scope);

// Reports require-timeout-settings (once per file) for a blocking top-level
// statement that no earlier SET lock_timeout / statement_timeout protects.
void check_timeouts(Scope& scope);

// Parses `sql` (a fragment starting at source offset `base`) in libpg_query
// parse mode `mode` and classifies every statement in it. A fragment that does
// not parse is opaque. Used for PL/pgSQL, EXECUTE strings and SQL function bodies.
void classify_fragment(const std::string& sql, std::size_t base, int mode, Scope& scope);

// destruction.cpp: fills st.destroys / st.unsnapshottable for a top-level
// statement `node` whose data-loss effect is known; `text` is the text node
// locations index into.
void describe_destruction(const Node* node, std::string_view text, Statement& st);

// classify_dml.cpp
void classify_select(const SelectStmt* stmt, Scope& scope);
void classify_insert(const InsertStmt* stmt, Scope& scope);
void classify_update(const UpdateStmt* stmt, Scope& scope);
void classify_delete(const DeleteStmt* stmt, Scope& scope);
void classify_merge(const MergeStmt* stmt, Scope& scope);
// Walks any expression or query subtree: function calls, relations read,
// data-modifying statements nested in WITH or sub-queries.
void classify_expressions(const Node* node, Scope& scope);

// classify_ddl.cpp
void classify_create_table(const CreateStmt* stmt, Scope& scope);
void classify_index(const IndexStmt* stmt, Scope& scope);
void classify_drop(const DropStmt* stmt, Scope& scope);
void classify_truncate(const TruncateStmt* stmt, Scope& scope);
void classify_rename(const RenameStmt* stmt, Scope& scope);
void classify_column_definition(const ColumnDef* column, const std::string& table,
                                bool existing_table, Scope& scope);

// classify_alter_table.cpp
void classify_alter_table(const AlterTableStmt* stmt, Scope& scope);

// classify_utility.cpp: maintenance, privileges, sessions, transactions.
bool classify_utility(const Node* node, Scope& scope);  // false if not a utility it knows

// classify_code.cpp: code that runs later or elsewhere.
// Offset, within `text`, of the contents of the string literal that starts at
// or after `from`: past "$tag$" for dollar quotes, past "'" for plain strings.
std::size_t literal_contents(std::string_view text, std::size_t from);
void classify_do(const DoStmt* stmt, Scope& scope);
void classify_create_function(const CreateFunctionStmt* stmt, Scope& scope);
void classify_function_call(const FuncCall* call, Scope& scope);

// classify_plpgsql.cpp: the PL/pgSQL `body` of `stmt` (a DoStmt or a
// CreateFunctionStmt in language plpgsql), found at fragment offset
// `body_offset` of `scope`'s text.
void classify_plpgsql(const Node* stmt, const std::string& body, std::size_t body_offset,
                      Scope& scope);

// functions.cpp: what safedb knows of PostgreSQL's built-in functions.
enum class Volatility { immutable, stable, volatile_, unknown };
// The volatility of a pg_catalog function by (lower-case) name; unknown for
// names that are not built in.
Volatility builtin_volatility(std::string_view name);
// True if evaluating `expr` may call a volatile or unknown function (so a
// column default made of it forces a table rewrite).
bool may_be_volatile(const Node* expr);
// True if `expr` has the same value in any session that reads the same MVCC
// snapshot with the same settings: it calls only immutable built-in
// functions, and no CURRENT_DATE-like value or date/time literal such as
// 'now' or 'today' ties it to this transaction's start or role. Operators
// are taken to be immutable, as may_be_volatile() takes them.
bool same_in_any_session(const Node* expr);
// Volatile built-ins that change nothing a migration cares about (random(),
// nextval(), clock_timestamp(), advisory locks, ...).
bool harmless_volatile(std::string_view name);

// constant.cpp
enum class Truth { yes, no, unknown };
// Evaluates a WHERE clause that involves only constants ("true", "1 = 1").
Truth evaluate_condition(const Node* node);
Truth evaluate_condition(const Node* node, int depth);
// The text of a string constant node, if it is one.
std::optional<std::string> string_constant(const Node* node);

}  // namespace safedb::sql
