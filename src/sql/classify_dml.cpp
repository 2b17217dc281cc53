#include <fmt/format.h>

#include <set>
#include <string>

#include "sql/classify.h"

namespace safedb::sql {
namespace {

// State of one walk over a query tree.
struct Walk {
  explicit Walk(Scope& s) : scope(&s) {}
  Scope* scope;
  std::set<std::string> cte_names;  // unqualified names that refer to WITH queries
  LockMode read_mode = LockMode::access_share;
};

void record_ctes(const WithClause* with, Walk& walk) {
  if (with == nullptr) return;
  const ListCell* cell;
  foreach (cell, with->ctes) {
    const CommonTableExpr* cte = castNode(CommonTableExpr, lfirst(cell));
    if (cte->ctename) walk.cte_names.insert(cte->ctename);
  }
}

void delete_stmt(const DeleteStmt* stmt, Scope& scope, int anchor);
void update_stmt(const UpdateStmt* stmt, Scope& scope, int anchor);
void insert_stmt(const InsertStmt* stmt, Scope& scope, int anchor);
void merge_stmt(const MergeStmt* stmt, Scope& scope, int anchor);

bool walk_node(Node* node, Walk& walk);

// Walks one node, refusing to go deeper than kMaxNestingDepth.
bool walker(Node* node, void* context) {
  if (node == nullptr) return false;
  Walk& walk = *static_cast<Walk*>(context);
  FileState& file = walk.scope->file();
  if (file.nesting >= kMaxNestingDepth) {
    walk.scope->add(Effect::opaque);
    if (!file.too_deep_reported) {
      file.too_deep_reported = true;
      walk.scope->report(
          "unanalysable-code", -1,
          fmt::format("expression nested more than {} levels deep; the rest is not analysed",
                      kMaxNestingDepth));
    }
    return false;
  }
  ++file.nesting;
  const bool stop = walk_node(node, walk);
  --file.nesting;
  return stop;
}

bool walk_node(Node* node, Walk& walk) {
  void* context = &walk;
  Scope& scope = *walk.scope;
  switch (nodeTag(node)) {
    case T_FuncCall:
      classify_function_call(castNode(FuncCall, node), scope);
      break;  // and walk its arguments
    case T_RangeVar: {
      const RangeVar* rv = castNode(RangeVar, node);
      if (rv->schemaname == nullptr && rv->relname && walk.cte_names.count(rv->relname))
        return false;
      scope.lock(walk.read_mode, pg::qualified(rv));
      return false;
    }
    // Data-modifying statements nested in WITH or sub-queries are classified
    // like top-level ones, with findings at their target relation.
    case T_DeleteStmt: {
      const DeleteStmt* s = castNode(DeleteStmt, node);
      delete_stmt(s, scope, s->relation->location);
      return false;
    }
    case T_UpdateStmt: {
      const UpdateStmt* s = castNode(UpdateStmt, node);
      update_stmt(s, scope, s->relation->location);
      return false;
    }
    case T_InsertStmt: {
      const InsertStmt* s = castNode(InsertStmt, node);
      insert_stmt(s, scope, s->relation->location);
      return false;
    }
    case T_MergeStmt: {
      const MergeStmt* s = castNode(MergeStmt, node);
      merge_stmt(s, scope, s->relation->location);
      return false;
    }
    case T_WithClause:
      record_ctes(castNode(WithClause, node), walk);
      break;
    case T_SelectStmt: {
      const SelectStmt* s = castNode(SelectStmt, node);
      record_ctes(s->withClause, walk);
      if (s->intoClause != nullptr && s->intoClause->rel != nullptr) {
        std::string name = pg::qualified(s->intoClause->rel);
        scope.add_object(name);
        scope.file().created_relations.insert(name);
      }
      if (s->lockingClause != NIL && walk.read_mode < LockMode::row_share) {
        // SELECT ... FOR UPDATE/SHARE takes ROW SHARE on the tables it reads.
        walk.read_mode = LockMode::row_share;
        raw_expression_tree_walker(node, walker, context);
        walk.read_mode = LockMode::access_share;
        return false;
      }
      break;
    }
    default:
      break;
  }
  return raw_expression_tree_walker(node, walker, context);
}

void walk_all(std::initializer_list<const Node*> nodes, Walk& walk) {
  for (const Node* n : nodes) {
    if (n != nullptr) walker(const_cast<Node*>(n), &walk);
  }
}

const Node* as_node(const void* p) {
  return static_cast<const Node*>(p);
}

void target(const RangeVar* relation, Scope& scope) {
  std::string name = pg::qualified(relation);
  scope.add_object(name);
  scope.lock(LockMode::row_exclusive, name);
}

void delete_stmt(const DeleteStmt* stmt, Scope& scope, int anchor) {
  Walk walk(scope);
  record_ctes(stmt->withClause, walk);
  std::string name = pg::qualified(stmt->relation);
  target(stmt->relation, scope);
  scope.add(Effect::data_loss);
  if (stmt->whereClause == nullptr) {
    scope.report(
        "unbounded-delete", anchor,
        fmt::format("DELETE FROM {} has no WHERE clause: every row will be removed", name));
  } else if (evaluate_condition(stmt->whereClause) == Truth::yes) {
    scope.report("unbounded-delete", anchor,
                 fmt::format("DELETE FROM {} has a WHERE clause that is always true: every row "
                             "will be removed",
                             name));
  } else {
    scope.report("delete-rows", anchor,
                 fmt::format("DELETE FROM {} removes the matching rows irreversibly", name));
  }
  walk_all({as_node(stmt->withClause), as_node(stmt->usingClause), stmt->whereClause,
            as_node(stmt->returningList)},
           walk);
}

void update_stmt(const UpdateStmt* stmt, Scope& scope, int anchor) {
  Walk walk(scope);
  record_ctes(stmt->withClause, walk);
  std::string name = pg::qualified(stmt->relation);
  target(stmt->relation, scope);
  scope.add(Effect::data_loss);
  if (stmt->whereClause == nullptr) {
    scope.report("unbounded-update", anchor,
                 fmt::format("UPDATE {} has no WHERE clause: every row will be overwritten", name));
  } else if (evaluate_condition(stmt->whereClause) == Truth::yes) {
    scope.report("unbounded-update", anchor,
                 fmt::format("UPDATE {} has a WHERE clause that is always true: every row will be "
                             "overwritten",
                             name));
  } else {
    scope.report("update-rows", anchor,
                 fmt::format("UPDATE {} overwrites the matching rows; old values are lost", name));
  }
  walk_all({as_node(stmt->withClause), as_node(stmt->targetList), as_node(stmt->fromClause),
            stmt->whereClause, as_node(stmt->returningList)},
           walk);
}

void insert_stmt(const InsertStmt* stmt, Scope& scope, int anchor) {
  Walk walk(scope);
  record_ctes(stmt->withClause, walk);
  target(stmt->relation, scope);
  if (stmt->onConflictClause != nullptr && stmt->onConflictClause->action == ONCONFLICT_UPDATE) {
    scope.add(Effect::data_loss);
    scope.report("upsert-overwrites", anchor,
                 fmt::format("INSERT ... ON CONFLICT DO UPDATE overwrites existing rows of {}",
                             pg::qualified(stmt->relation)));
  }
  const Node* conflict_set =
      stmt->onConflictClause ? as_node(stmt->onConflictClause->targetList) : nullptr;
  const Node* conflict_where =
      stmt->onConflictClause ? stmt->onConflictClause->whereClause : nullptr;
  walk_all({as_node(stmt->withClause), stmt->selectStmt, conflict_set, conflict_where,
            as_node(stmt->returningList)},
           walk);
}

void merge_stmt(const MergeStmt* stmt, Scope& scope, int anchor) {
  Walk walk(scope);
  record_ctes(stmt->withClause, walk);
  std::string name = pg::qualified(stmt->relation);
  target(stmt->relation, scope);
  bool modifies = false;
  bool deletes_unmatched = false;
  const ListCell* cell;
  foreach (cell, stmt->mergeWhenClauses) {
    const MergeWhenClause* when = castNode(MergeWhenClause, lfirst(cell));
    if (when->commandType == CMD_UPDATE || when->commandType == CMD_DELETE) modifies = true;
    if (when->matchKind == MERGE_WHEN_NOT_MATCHED_BY_SOURCE && when->commandType == CMD_DELETE) {
      deletes_unmatched = true;
    }
    walk_all({when->condition, as_node(when->targetList), as_node(when->values)}, walk);
  }
  if (modifies) {
    scope.add(Effect::data_loss);
    scope.report(
        "merge-modifies-rows", anchor,
        deletes_unmatched
            ? fmt::format("MERGE INTO {} deletes every row that is absent from its source "
                          "(WHEN NOT MATCHED BY SOURCE THEN DELETE)",
                          name)
            : fmt::format("MERGE INTO {} updates or deletes existing rows irreversibly", name));
  }
  walk_all({as_node(stmt->withClause), stmt->sourceRelation, stmt->joinCondition,
            as_node(stmt->returningList)},
           walk);
}

}  // namespace

void classify_expressions(const Node* node, Scope& scope) {
  Walk walk(scope);
  walk_all({node}, walk);
}

void classify_select(const SelectStmt* stmt, Scope& scope) {
  classify_expressions(reinterpret_cast<const Node*>(stmt), scope);
}
void classify_insert(const InsertStmt* stmt, Scope& scope) {
  insert_stmt(stmt, scope, -1);
}
void classify_update(const UpdateStmt* stmt, Scope& scope) {
  update_stmt(stmt, scope, -1);
}
void classify_delete(const DeleteStmt* stmt, Scope& scope) {
  delete_stmt(stmt, scope, -1);
}
void classify_merge(const MergeStmt* stmt, Scope& scope) {
  merge_stmt(stmt, scope, -1);
}

}  // namespace safedb::sql
