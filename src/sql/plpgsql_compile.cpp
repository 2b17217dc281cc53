// Compiling PL/pgSQL bodies with PostgreSQL's own PL/pgSQL grammar, straight
// into its PLpgSQL_function structures. libpg_query's pg_query_parse_plpgsql
// does the same but parses the statement again and hands the function over as
// JSON, which costs more than the compilation; safedb walks the structures
// instead (classify_code.cpp).

#include <cstdio>
#include <string>

#include "sql/pg_api.h"

// clang-format off
extern "C" {
#include <catalog/pg_proc.h>
#include <catalog/pg_type.h>
#include <plpgsql.h>
#include <utils/guc.h>
#include <utils/memutils.h>
}
// clang-format on

namespace safedb::sql::pg {
namespace {

bool returns_trigger(const CreateFunctionStmt* stmt) {
  if (stmt->returnType == nullptr || list_length(stmt->returnType->names) == 0) return false;
  const std::string_view type =
      string_value(static_cast<const Node*>(llast(stmt->returnType->names)));
  return type == "trigger";
}

// Declares a function's parameters, FOUND and (for triggers) NEW and OLD, then
// runs the PL/pgSQL grammar over `source`, as PostgreSQL's validator does for
// CREATE FUNCTION but without looking types up: every parameter is a scalar,
// and the function is compiled as if it returned void (the grammar then
// accepts RETURN with or without a value). Throws (ereport) on a syntax error.
PLpgSQL_function* compile_function(const CreateFunctionStmt* stmt, char* source) {
  const char* name = strVal(llast(stmt->funcname));
  plpgsql_scanner_init(source);
  plpgsql_error_funcname = const_cast<char*>(name);
  plpgsql_check_syntax = false;

  auto* function = static_cast<PLpgSQL_function*>(palloc0(sizeof(PLpgSQL_function)));
  plpgsql_curr_compile = function;
  MemoryContext context =
      AllocSetContextCreate(CurrentMemoryContext, "safedb PL/pgSQL", ALLOCSET_DEFAULT_SIZES);
  plpgsql_compile_tmp_cxt = MemoryContextSwitchTo(context);
  function->fn_signature = pstrdup(name);
  function->fn_is_trigger = PLPGSQL_NOT_TRIGGER;
  function->fn_cxt = context;
  function->out_param_varno = -1;
  function->resolve_option = static_cast<PLpgSQL_resolve_option>(plpgsql_variable_conflict);
  function->print_strict_params = plpgsql_print_strict_params;
  function->fn_rettype = VOIDOID;
  function->fn_retset = stmt->returnType != nullptr && stmt->returnType->setof;
  function->fn_prokind = PROKIND_FUNCTION;
  function->fn_retbyval = true;
  function->fn_rettyplen = sizeof(int32);

  plpgsql_ns_init();
  plpgsql_ns_push(name, PLPGSQL_LABEL_BLOCK);
  plpgsql_DumpExecTree = false;
  plpgsql_start_datums();

  // Parameters are known by position ($1, ...) and by name, as in PostgreSQL.
  int position = 0;
  const ListCell* cell;
  foreach (cell, stmt->parameters) {
    const FunctionParameter* param = lfirst_node(FunctionParameter, cell);
    char positional[16];
    std::snprintf(positional, sizeof positional, "$%d", ++position);
    PLpgSQL_type* type = plpgsql_build_datatype(InvalidOid, -1, InvalidOid, param->argType);
    PLpgSQL_variable* variable =
        plpgsql_build_variable(param->name ? param->name : positional, 0, type, false);
    if (param->mode == FUNC_PARAM_OUT || param->mode == FUNC_PARAM_INOUT ||
        param->mode == FUNC_PARAM_TABLE) {
      function->out_param_varno = variable->dno;
    }
    plpgsql_ns_additem(PLPGSQL_NSTYPE_VAR, variable->dno, positional);
    if (param->name != nullptr) plpgsql_ns_additem(PLPGSQL_NSTYPE_VAR, variable->dno, param->name);
  }
  PLpgSQL_variable* found = plpgsql_build_variable(
      "found", 0, plpgsql_build_datatype(BOOLOID, -1, InvalidOid, nullptr), true);
  function->found_varno = found->dno;
  if (returns_trigger(stmt)) {
    function->new_varno = plpgsql_build_record("new", 0, nullptr, RECORDOID, true)->dno;
    function->old_varno = plpgsql_build_record("old", 0, nullptr, RECORDOID, true)->dno;
  }

  if (plpgsql_yyparse() != 0) elog(ERROR, "PL/pgSQL parser failed");
  function->action = plpgsql_parse_result;
  plpgsql_scanner_finish();
  plpgsql_finish_datums(function);
  MemoryContextSwitchTo(plpgsql_compile_tmp_cxt);
  return function;
}

}  // namespace

PlpgsqlCompiled compile_plpgsql(const Node* stmt, const std::string& body) {
  MemoryContext caller = CurrentMemoryContext;
  ErrorContextCallback* error_context = error_context_stack;
  const bool check_bodies = check_function_bodies;
  char* source = pstrdup(body.c_str());  // the scanner keeps pointers into it
  PLpgSQL_function* volatile function = nullptr;
  char* volatile message = nullptr;

  // PostgreSQL reports errors with longjmp: nothing in this frame may need a
  // destructor between PG_TRY and PG_END_TRY.
  PG_TRY();
  {
    // DO blocks compile as PostgreSQL compiles them; check_function_bodies off
    // keeps the grammar from parsing each expression a second time.
    check_function_bodies = false;
    function =
        IsA(stmt, DoStmt)
            ? plpgsql_compile_inline(source)
            : compile_function(castNode(CreateFunctionStmt, const_cast<Node*>(stmt)), source);
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(caller);
    ErrorData* error = CopyErrorData();
    FlushErrorState();
    message = error->message ? error->message : pstrdup("syntax error");
  }
  PG_END_TRY();

  // Leave PL/pgSQL's compiler state as a fresh compilation expects it.
  MemoryContextSwitchTo(caller);
  error_context_stack = error_context;
  check_function_bodies = check_bodies;
  plpgsql_check_syntax = false;
  plpgsql_error_funcname = nullptr;
  plpgsql_compile_tmp_cxt = nullptr;
  plpgsql_curr_compile = nullptr;

  PlpgsqlCompiled compiled;
  if (message != nullptr) {
    compiled.error = std::string(message);
  } else {
    compiled.function = function;
  }
  return compiled;
}

}  // namespace safedb::sql::pg
