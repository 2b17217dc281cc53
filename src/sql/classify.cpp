#include <fmt/format.h>

#include <algorithm>

#include "sql/classify.h"

namespace safedb::sql {

void classify_fragment(const std::string& sql, std::size_t base, int mode, Scope& scope) {
  if (scope.depth() >= kMaxFragmentDepth) {
    scope.add(Effect::opaque);
    scope.report("unanalysable-code", -1, "code nested too deeply to analyse");
    return;
  }
  Scope inner = scope.fragment(sql, base);
  pg::Parsed parsed = pg::raw_parse(sql, mode);
  if (parsed.error) {
    inner.add(Effect::opaque);
    inner.report("unanalysable-code", static_cast<int>(parsed.error->offset),
                 fmt::format("embedded SQL does not parse ({}); its effects are unknown",
                             parsed.error->message));
    return;
  }
  const ListCell* cell;
  foreach (cell, parsed.statements) {
    const RawStmt* raw = static_cast<const RawStmt*>(lfirst(cell));
    std::size_t begin = static_cast<std::size_t>(std::max(raw->stmt_location, 0));
    std::size_t length =
        raw->stmt_len > 0 ? static_cast<std::size_t>(raw->stmt_len) : std::string::npos;
    inner.set_statement(std::string_view(sql).substr(std::min(begin, sql.size()), length));
    // Expression fragments (PL/pgSQL conditions, assignments) parse to a bare
    // expression or a SELECT; both are walked for function calls.
    if (mode == PG_QUERY_PARSE_DEFAULT) {
      classify_statement(raw->stmt, inner);
    } else {
      classify_expressions(raw->stmt, inner);
    }
  }
}

void check_timeouts(Scope& scope) {
  FileState& file = scope.file();
  if (scope.sink().effects.has(Effect::non_transactional)) {
    scope.report("non-transactional-statement", -1,
                 "this statement cannot run inside a transaction block");
  }
  if (!scope.sink().effects.has(Effect::blocking) || file.timeout_finding_reported) return;
  if (file.lock_timeout_set && file.statement_timeout_set) return;
  file.timeout_finding_reported = true;
  std::string missing = !file.lock_timeout_set && !file.statement_timeout_set
                            ? "lock_timeout and statement_timeout"
                            : (!file.lock_timeout_set ? "lock_timeout" : "statement_timeout");
  scope.report("require-timeout-settings", -1,
               fmt::format("blocking statement without {} set earlier in the file: it can queue "
                           "behind a long transaction and block every other query meanwhile",
                           missing));
}

void classify_statement(const Node* node, Scope& scope) {
  if (node == nullptr) return;
  switch (nodeTag(node)) {
    case T_SelectStmt:
      return classify_select(castNode(SelectStmt, node), scope);
    case T_InsertStmt:
      return classify_insert(castNode(InsertStmt, node), scope);
    case T_UpdateStmt:
      return classify_update(castNode(UpdateStmt, node), scope);
    case T_DeleteStmt:
      return classify_delete(castNode(DeleteStmt, node), scope);
    case T_MergeStmt:
      return classify_merge(castNode(MergeStmt, node), scope);
    case T_CreateStmt:
      return classify_create_table(castNode(CreateStmt, node), scope);
    case T_IndexStmt:
      return classify_index(castNode(IndexStmt, node), scope);
    case T_DropStmt:
      return classify_drop(castNode(DropStmt, node), scope);
    case T_TruncateStmt:
      return classify_truncate(castNode(TruncateStmt, node), scope);
    case T_RenameStmt:
      return classify_rename(castNode(RenameStmt, node), scope);
    case T_AlterTableStmt:
      return classify_alter_table(castNode(AlterTableStmt, node), scope);
    case T_DoStmt:
      return classify_do(castNode(DoStmt, node), scope);
    case T_CreateFunctionStmt:
      return classify_create_function(castNode(CreateFunctionStmt, node), scope);
    default:
      break;
  }
  if (classify_utility(node, scope)) return;
  // Fail closed: a statement safedb does not know is treated as opaque.
  scope.add(Effect::opaque);
  scope.report(
      "unclassified-statement", -1,
      fmt::format("{} is not classified by safedb; treated as opaque", pg::node_name(node)));
}

}  // namespace safedb::sql
