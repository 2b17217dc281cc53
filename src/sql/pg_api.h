#pragma once

// The only header that includes libpg_query and PostgreSQL's parse-node
// headers (C code). Include it LAST in a .cpp file: PostgreSQL's port.h
// redefines printf, snprintf and strerror as macros, which are undone below but
// would break any standard header included after it.
//
// Everything in here runs inside a parse Arena: node trees live in
// libpg_query's memory contexts and are freed when the Arena ends.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// postgres.h (included by pg_query_internal.h) must precede the node headers.
// clang-format off
extern "C" {
#include <pg_query.h>
#include <pg_query_internal.h>
#include <nodes/nodeFuncs.h>
#include <nodes/parsenodes.h>
#include <utils/palloc.h>
}
// clang-format on

// PostgreSQL's compiled PL/pgSQL function (plpgsql.h, included where walked).
struct PLpgSQL_function;

#undef printf
#undef fprintf
#undef sprintf
#undef snprintf
#undef vsnprintf
#undef vsprintf
#undef vfprintf
#undef vprintf
#undef strerror
#undef strerror_r
#undef qsort
#undef strtof

namespace safedb::sql::pg {

// Owns one libpg_query memory context for its lifetime. Not nestable: one
// Arena per analysis; nested parses (PL/pgSQL bodies, EXECUTE strings) run
// inside the same Arena through raw_parse().
class Arena {
 public:
  Arena() : context_(pg_query_enter_memory_context()) {}
  ~Arena() { pg_query_exit_memory_context(context_); }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

 private:
  MemoryContext context_;
};

// A child of the current memory context for what classifying one statement
// allocates (parse trees of PL/pgSQL expressions and EXECUTE strings), freed
// after each statement so that a large file reuses the same memory.
// REQUIRES: nothing allocated while it is in use outlives release().
class StatementMemory {
 public:
  StatementMemory();
  ~StatementMemory();
  StatementMemory(const StatementMemory&) = delete;
  StatementMemory& operator=(const StatementMemory&) = delete;

  // Makes the context current until release(), which frees what it holds and
  // makes the parent current again.
  void use() { MemoryContextSwitchTo(context_); }
  void release();

 private:
  MemoryContext parent_;
  MemoryContext context_;
};

struct ParseError {
  std::string message;
  std::size_t offset = 0;  // byte offset into the parsed text
};

// Parses `text` (NUL-terminated) in the given libpg_query parse mode
// (PG_QUERY_PARSE_DEFAULT, PG_QUERY_PARSE_PLPGSQL_EXPR, ...). On success
// `statements` is a List of RawStmt owned by the current Arena.
// REQUIRES: an Arena is alive.
struct Parsed {
  List* statements = nullptr;
  std::optional<ParseError> error;
};
Parsed raw_parse(const std::string& text, int mode = PG_QUERY_PARSE_DEFAULT);

// raw_parse() of a whole file, in parts that are parsed at once: the part
// before the first cut on this thread, the part from each cut to the next on
// a thread of its own. A cut is the offset just past a `;` token; the cuts
// ascend. Each thread parses the file with everything before its part
// blanked, so locations in all trees are offsets into `sql`, as with
// raw_parse(). If any part does not parse (a real error, or a `;` that ends
// no statement, such as one between the parenthesised actions of CREATE
// RULE), the whole text is parsed again on this thread: the result, errors
// included, is always that of raw_parse(sql).
// The trees of the other parts live in their threads' memory contexts until
// this object is destroyed (libpg_query's memory is per thread, so the thread
// that parsed a part frees it). The list itself lives in the current Arena.
// REQUIRES: an Arena is alive on this thread, and outlives this object.
class SplitParse {
 public:
  SplitParse(const std::string& sql, const std::vector<std::size_t>& cuts);
  ~SplitParse();
  SplitParse(const SplitParse&) = delete;
  SplitParse& operator=(const SplitParse&) = delete;

  const Parsed& parsed() const { return parsed_; }

 private:
  class Part;
  std::vector<std::unique_ptr<Part>> parts_;
  Parsed parsed_;
};

// Compiles the PL/pgSQL body of a DO or CREATE FUNCTION statement with
// PostgreSQL's PL/pgSQL grammar, without a catalog: function parameters, FOUND
// and, for trigger functions, NEW and OLD are declared as PostgreSQL's
// validator would. Embedded SQL is not parsed here (the caller parses every
// expression anyway). On success `function` lives in the current memory
// context (a StatementMemory during analysis); walk it with the structures of
// PostgreSQL's plpgsql.h. `body` is the body text; `stmt` is a DoStmt or a
// CreateFunctionStmt whose language is plpgsql.
// REQUIRES: an Arena is alive.
struct PlpgsqlCompiled {
  const PLpgSQL_function* function = nullptr;
  std::optional<std::string> error;  // PostgreSQL's message when it does not compile
};
PlpgsqlCompiled compile_plpgsql(const Node* stmt, const std::string& body);

// "DeleteStmt" for a DeleteStmt node; "Unknown" for tags the grammar lacks.
std::string_view node_name(const Node* node);
inline std::string_view node_name(NodeTag tag) {
  Node n{tag};
  return node_name(&n);
}

// The text of a String node, or "" for anything else.
std::string_view string_value(const Node* node);
// Whether a List of DefElem nodes (a statement's options) names option
// `name`, whatever its value ("RESTART WITH 0" names "restart").
bool names_option(const List* options, std::string_view name);
// Dotted name of a List of String nodes, e.g. "public.messages".
std::string dotted(const List* names);
// "schema.name" of a relation; unqualified names are assumed to live in "public".
std::string qualified(const RangeVar* relation);
// The same for a List of String nodes (an object name in DROP, COMMENT, ...).
std::string qualified(const List* names);
// Lower-case last element of a function name list ("pg_catalog.setval" -> "setval").
std::string function_name(const List* funcname);
// The schema of a function name list, "" when unqualified.
std::string function_schema(const List* funcname);

}  // namespace safedb::sql::pg
