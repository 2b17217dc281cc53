// Classifying PL/pgSQL: DO blocks and function bodies are compiled with
// PostgreSQL's PL/pgSQL grammar (plpgsql_compile.cpp) and the compiled
// statements walked here; every embedded SQL statement and expression is
// parsed and classified like SQL of the file.

#include <fmt/format.h>

#include <string>

#include "sql/classify.h"

// clang-format off
extern "C" {
#include <plpgsql.h>
}
// clang-format on

namespace safedb::sql {
namespace {

// Walks a compiled PL/pgSQL function and classifies every SQL statement and
// expression in it, in source order: the declarations' default values and
// cursor queries first, then the statements. It recurses once per nesting
// level of blocks and loops; PostgreSQL's PL/pgSQL grammar refuses bodies
// nested more than a few thousand levels deep, which bounds the depth.
class PlpgsqlWalker {
 public:
  // `body` is the function body text, found at fragment offset `body_offset` of `scope`.
  PlpgsqlWalker(Scope& scope, std::string_view body, std::size_t body_offset)
      : scope_(scope), body_(body), body_offset_(body_offset) {}

  void function(const PLpgSQL_function& fn) {
    for (int i = 0; i < fn.ndatums; ++i)
      datum(*fn.datums[i]);
    if (fn.action != nullptr) statement(reinterpret_cast<const PLpgSQL_stmt&>(*fn.action));
  }

 private:
  void datum(const PLpgSQL_datum& d) {
    switch (d.dtype) {
      case PLPGSQL_DTYPE_VAR:
      case PLPGSQL_DTYPE_PROMISE: {
        const auto& var = reinterpret_cast<const PLpgSQL_var&>(d);
        at_line(var.lineno);
        expression(var.default_val);
        expression(var.cursor_explicit_expr);
        break;
      }
      case PLPGSQL_DTYPE_ROW:
      case PLPGSQL_DTYPE_REC: {
        const auto& variable = reinterpret_cast<const PLpgSQL_variable&>(d);
        at_line(variable.lineno);
        expression(variable.default_val);
        break;
      }
      case PLPGSQL_DTYPE_RECFIELD:
        break;
    }
  }

  void statements(const List* list) {
    const ListCell* cell;
    foreach (cell, list)
      statement(*static_cast<const PLpgSQL_stmt*>(lfirst(cell)));
  }

  void expressions(const List* list) {
    const ListCell* cell;
    foreach (cell, list)
      expression(static_cast<const PLpgSQL_expr*>(lfirst(cell)));
  }

  template <typename T>
  static const T& as(const PLpgSQL_stmt& s) {
    return reinterpret_cast<const T&>(s);
  }

  void statement(const PLpgSQL_stmt& s) {
    at_line(s.lineno);
    switch (s.cmd_type) {
      case PLPGSQL_STMT_BLOCK: {
        const auto& block = as<PLpgSQL_stmt_block>(s);
        statements(block.body);
        if (block.exceptions != nullptr) {
          const ListCell* cell;
          foreach (cell, block.exceptions->exc_list) {
            const auto* handler = static_cast<const PLpgSQL_exception*>(lfirst(cell));
            at_line(handler->lineno);
            statements(handler->action);
          }
        }
        break;
      }
      case PLPGSQL_STMT_ASSIGN:
        expression(as<PLpgSQL_stmt_assign>(s).expr);
        break;
      case PLPGSQL_STMT_IF: {
        const auto& stmt = as<PLpgSQL_stmt_if>(s);
        expression(stmt.cond);
        statements(stmt.then_body);
        const ListCell* cell;
        foreach (cell, stmt.elsif_list) {
          const auto* elsif = static_cast<const PLpgSQL_if_elsif*>(lfirst(cell));
          at_line(elsif->lineno);
          expression(elsif->cond);
          statements(elsif->stmts);
        }
        statements(stmt.else_body);
        break;
      }
      case PLPGSQL_STMT_CASE: {
        const auto& stmt = as<PLpgSQL_stmt_case>(s);
        expression(stmt.t_expr);
        const ListCell* cell;
        foreach (cell, stmt.case_when_list) {
          const auto* when = static_cast<const PLpgSQL_case_when*>(lfirst(cell));
          at_line(when->lineno);
          expression(when->expr);
          statements(when->stmts);
        }
        statements(stmt.else_stmts);
        break;
      }
      case PLPGSQL_STMT_LOOP:
        statements(as<PLpgSQL_stmt_loop>(s).body);
        break;
      case PLPGSQL_STMT_WHILE:
        expression(as<PLpgSQL_stmt_while>(s).cond);
        statements(as<PLpgSQL_stmt_while>(s).body);
        break;
      case PLPGSQL_STMT_FORI: {
        const auto& stmt = as<PLpgSQL_stmt_fori>(s);
        expression(stmt.lower);
        expression(stmt.upper);
        expression(stmt.step);
        statements(stmt.body);
        break;
      }
      case PLPGSQL_STMT_FORS:
        expression(as<PLpgSQL_stmt_fors>(s).query);
        statements(as<PLpgSQL_stmt_fors>(s).body);
        break;
      case PLPGSQL_STMT_FORC:
        expression(as<PLpgSQL_stmt_forc>(s).argquery);
        statements(as<PLpgSQL_stmt_forc>(s).body);
        break;
      case PLPGSQL_STMT_FOREACH_A:
        expression(as<PLpgSQL_stmt_foreach_a>(s).expr);
        statements(as<PLpgSQL_stmt_foreach_a>(s).body);
        break;
      case PLPGSQL_STMT_EXIT:
        expression(as<PLpgSQL_stmt_exit>(s).cond);
        break;
      case PLPGSQL_STMT_RETURN:
        expression(as<PLpgSQL_stmt_return>(s).expr);
        break;
      case PLPGSQL_STMT_RETURN_NEXT:
        expression(as<PLpgSQL_stmt_return_next>(s).expr);
        break;
      case PLPGSQL_STMT_RETURN_QUERY: {
        const auto& stmt = as<PLpgSQL_stmt_return_query>(s);
        expression(stmt.query);
        expressions(stmt.params);
        dynamic(stmt.dynquery, s.lineno);
        break;
      }
      case PLPGSQL_STMT_RAISE: {
        const auto& stmt = as<PLpgSQL_stmt_raise>(s);
        expressions(stmt.params);
        const ListCell* cell;
        foreach (cell, stmt.options)
          expression(static_cast<const PLpgSQL_raise_option*>(lfirst(cell))->expr);
        break;
      }
      case PLPGSQL_STMT_ASSERT:
        expression(as<PLpgSQL_stmt_assert>(s).cond);
        expression(as<PLpgSQL_stmt_assert>(s).message);
        break;
      case PLPGSQL_STMT_EXECSQL:
        expression(as<PLpgSQL_stmt_execsql>(s).sqlstmt);
        break;
      case PLPGSQL_STMT_DYNEXECUTE:
        expressions(as<PLpgSQL_stmt_dynexecute>(s).params);
        dynamic(as<PLpgSQL_stmt_dynexecute>(s).query, s.lineno);
        break;
      case PLPGSQL_STMT_DYNFORS: {
        const auto& stmt = as<PLpgSQL_stmt_dynfors>(s);
        expressions(stmt.params);
        dynamic(stmt.query, s.lineno);
        statements(stmt.body);
        break;
      }
      case PLPGSQL_STMT_OPEN: {
        const auto& stmt = as<PLpgSQL_stmt_open>(s);
        expression(stmt.argquery);
        expression(stmt.query);
        expressions(stmt.params);
        dynamic(stmt.dynquery, s.lineno);
        break;
      }
      case PLPGSQL_STMT_FETCH:
        expression(as<PLpgSQL_stmt_fetch>(s).expr);
        break;
      case PLPGSQL_STMT_PERFORM:
        expression(as<PLpgSQL_stmt_perform>(s).expr);
        break;
      case PLPGSQL_STMT_CALL:
        expression(as<PLpgSQL_stmt_call>(s).expr);
        break;
      case PLPGSQL_STMT_GETDIAG:
      case PLPGSQL_STMT_CLOSE:
      case PLPGSQL_STMT_COMMIT:
      case PLPGSQL_STMT_ROLLBACK:
        break;
      default:
        // A statement type this walker does not know: its effects are unknown.
        scope_.add(Effect::opaque);
        scope_.report("unanalysable-code", static_cast<int>(body_offset_ + locate_line()),
                      "PL/pgSQL statement of a kind safedb does not know; its effects are unknown");
        break;
    }
  }

  void at_line(int line) {
    if (line > 0) line_ = line;
  }

  // Source offset of the start of the current line of the body.
  std::size_t locate_line() const {
    std::size_t line_start = 0;
    for (int l = 1; l < line_ && line_start != std::string_view::npos; ++l) {
      line_start = body_.find('\n', line_start);
      if (line_start != std::string_view::npos) ++line_start;
    }
    return line_start == std::string_view::npos ? 0 : line_start;
  }

  // Source offset of `query`, searched for from the start of the current line.
  // PL/pgSQL rewrites "PERFORM expr" as "SELECT expr": then the offset is
  // where "SELECT " would start, so that node locations still land right.
  std::size_t locate(std::string_view query) const {
    const std::size_t line_start = locate_line();
    const std::size_t at = scope_.base() + body_offset_;
    std::size_t found = body_.find(query, line_start);
    if (found != std::string_view::npos) return at + found;
    constexpr std::string_view kSelect = "SELECT ";
    if (query.starts_with(kSelect)) {
      found = body_.find(query.substr(kSelect.size()), line_start);
      if (found != std::string_view::npos && at + found >= kSelect.size())
        return at + found - kSelect.size();
    }
    return at + line_start;
  }

  void expression(const PLpgSQL_expr* expr) {
    if (expr == nullptr || expr->query == nullptr) return;
    const std::string text(expr->query);
    classify_fragment(text, locate(text), static_cast<int>(expr->parseMode), scope_);
  }

  // EXECUTE of a string literal is analysed like any SQL; of anything else, opaque.
  void dynamic(const PLpgSQL_expr* expr, int line) {
    if (expr == nullptr || expr->query == nullptr) return;
    at_line(line);
    const std::string text(expr->query);
    const std::size_t at = locate(text);
    pg::Parsed parsed = pg::raw_parse(text, PG_QUERY_PARSE_PLPGSQL_EXPR);
    std::optional<std::string> literal;
    int literal_location = -1;
    if (!parsed.error && list_length(parsed.statements) == 1) {
      const RawStmt* raw = static_cast<const RawStmt*>(linitial(parsed.statements));
      if (IsA(raw->stmt, SelectStmt)) {
        const SelectStmt* select = castNode(SelectStmt, raw->stmt);
        if (list_length(select->targetList) == 1 && select->fromClause == NIL) {
          const ResTarget* target = castNode(ResTarget, linitial(select->targetList));
          literal = string_constant(target->val);
          if (literal && IsA(target->val, A_Const))
            literal_location = castNode(A_Const, target->val)->location;
        }
      }
    }
    if (literal) {
      std::size_t contents =
          literal_location >= 0 ? literal_contents(text, static_cast<std::size_t>(literal_location))
                                : 0;
      classify_fragment(*literal, at + contents, PG_QUERY_PARSE_DEFAULT, scope_);
      return;
    }
    scope_.add(Effect::opaque);
    Scope here = scope_.fragment(text, at);
    here.report(
        "dynamic-sql", -1,
        fmt::format(
            "EXECUTE of a computed string ({}): what it runs cannot be known before it runs",
            text.size() > 60 ? text.substr(0, 57) + "..." : text));
  }

  Scope& scope_;
  std::string_view body_;
  std::size_t body_offset_;
  int line_ = 1;
};

}  // namespace

// Classifies PL/pgSQL code of the current statement (a DO or CREATE FUNCTION).
void classify_plpgsql(const Node* stmt, const std::string& body, std::size_t body_offset,
                      Scope& scope) {
  pg::PlpgsqlCompiled compiled = pg::compile_plpgsql(stmt, body);
  if (compiled.error || compiled.function == nullptr) {
    scope.add(Effect::opaque);
    scope.report("unanalysable-code", static_cast<int>(body_offset),
                 fmt::format("PL/pgSQL body does not compile ({}); its effects are unknown",
                             compiled.error.value_or("no function")));
    return;
  }
  // Positions reported by the walker are absolute; it needs the body's fragment offset.
  Scope inner = scope.fragment(scope.text(), scope.base());
  PlpgsqlWalker walker(inner, body, body_offset);
  walker.function(*compiled.function);
}

}  // namespace safedb::sql
