#include <fmt/format.h>

#include <string>

#include "sql/classify.h"

namespace safedb::sql {
namespace {

std::string type_name(const TypeName* type) {
  return type == nullptr ? std::string() : pg::function_name(type->names);
}

bool has_constraint(const List* constraints, ConstrType type) {
  const ListCell* cell;
  foreach (cell, constraints) {
    const Node* n = static_cast<const Node*>(lfirst(cell));
    if (IsA(n, Constraint) && castNode(Constraint, n)->contype == type) return true;
  }
  return false;
}

const Constraint* find_constraint(const List* constraints, ConstrType type) {
  const ListCell* cell;
  foreach (cell, constraints) {
    const Node* n = static_cast<const Node*>(lfirst(cell));
    if (IsA(n, Constraint) && castNode(Constraint, n)->contype == type)
      return castNode(Constraint, n);
  }
  return nullptr;
}

// The name of one object in a DROP statement's object list.
std::string object_name(const Node* object, ObjectType type) {
  if (object == nullptr) return {};
  if (IsA(object, List)) {
    const List* names = castNode(List, object);
    if (type == OBJECT_TRIGGER || type == OBJECT_RULE || type == OBJECT_POLICY)
      return pg::dotted(names);
    return pg::qualified(names);
  }
  if (IsA(object, String)) return std::string(pg::string_value(object));
  if (IsA(object, TypeName)) return pg::dotted(castNode(TypeName, object)->names);
  if (IsA(object, ObjectWithArgs)) return pg::dotted(castNode(ObjectWithArgs, object)->objname);
  return {};
}

// For DROP TRIGGER/RULE/POLICY the name list ends with the object's own name
// and starts with its table.
std::string owning_table(const Node* object) {
  if (object == nullptr || !IsA(object, List)) return {};
  const List* names = castNode(List, object);
  if (list_length(names) < 2) return {};
  List* table = list_copy(names);
  table = list_truncate(table, list_length(names) - 1);
  return pg::qualified(table);
}

std::string_view object_type_word(ObjectType type) {
  switch (type) {
    case OBJECT_TABLE:
      return "TABLE";
    case OBJECT_FOREIGN_TABLE:
      return "FOREIGN TABLE";
    case OBJECT_SCHEMA:
      return "SCHEMA";
    case OBJECT_MATVIEW:
      return "MATERIALIZED VIEW";
    case OBJECT_SEQUENCE:
      return "SEQUENCE";
    case OBJECT_INDEX:
      return "INDEX";
    case OBJECT_VIEW:
      return "VIEW";
    case OBJECT_FUNCTION:
      return "FUNCTION";
    case OBJECT_PROCEDURE:
      return "PROCEDURE";
    case OBJECT_ROUTINE:
      return "ROUTINE";
    case OBJECT_AGGREGATE:
      return "AGGREGATE";
    case OBJECT_TYPE:
      return "TYPE";
    case OBJECT_DOMAIN:
      return "DOMAIN";
    case OBJECT_TRIGGER:
      return "TRIGGER";
    case OBJECT_RULE:
      return "RULE";
    case OBJECT_POLICY:
      return "POLICY";
    case OBJECT_EXTENSION:
      return "EXTENSION";
    default:
      return "object";
  }
}

// Records constraints of a new or altered table that lock other tables.
void referenced_tables(const List* constraints, Scope& scope) {
  const ListCell* cell;
  foreach (cell, constraints) {
    const Node* n = static_cast<const Node*>(lfirst(cell));
    if (IsA(n, Constraint) && castNode(Constraint, n)->contype == CONSTR_FOREIGN) {
      const Constraint* c = castNode(Constraint, n);
      // A foreign key takes SHARE ROW EXCLUSIVE on the table it references.
      if (c->pktable) scope.lock(LockMode::share_row_exclusive, pg::qualified(c->pktable));
    }
  }
}

}  // namespace

void classify_column_definition(const ColumnDef* column, const std::string& table,
                                bool existing_table, Scope& scope) {
  const std::string type = type_name(column->typeName);
  const std::string name = column->colname ? column->colname : "?";
  const int at = column->location;
  if (type == "timestamp") {
    scope.report("prefer-timestamptz", at,
                 fmt::format("column {} of {} is timestamp without time zone", name, table));
  }
  if (type == "bpchar") {
    scope.report("ban-char-field", at, fmt::format("column {} of {} is char(n)", name, table));
  }
  const bool serial = type == "serial" || type == "serial4" || type == "bigserial" ||
                      type == "serial8" || type == "smallserial" || type == "serial2";
  if (serial) {
    scope.report("prefer-identity", at,
                 fmt::format("column {} of {} uses {}; identity columns are the standard form",
                             name, table, type));
  }
  const bool primary = has_constraint(column->constraints, CONSTR_PRIMARY);
  if (primary && (type == "int4" || type == "serial" || type == "serial4" || type == "int2")) {
    scope.report(
        "prefer-bigint-over-int", at,
        fmt::format("primary key {} of {} is a 32-bit integer and can run out", name, table));
  }
  referenced_tables(column->constraints, scope);
  if (!existing_table) return;

  // Adding a column to a table that already holds rows.
  const Constraint* default_constraint = find_constraint(column->constraints, CONSTR_DEFAULT);
  const Node* default_expr =
      default_constraint ? default_constraint->raw_expr : column->raw_default;
  const bool identity = has_constraint(column->constraints, CONSTR_IDENTITY);
  const bool generated = has_constraint(column->constraints, CONSTR_GENERATED);
  const bool not_null =
      column->is_not_null || has_constraint(column->constraints, CONSTR_NOTNULL) || primary;
  if (not_null && default_expr == nullptr && !identity && !generated && !serial) {
    scope.report("adding-not-nullable-field", at,
                 fmt::format("column {} is added to existing table {} as NOT NULL without a "
                             "default: this fails as soon as the table has rows",
                             name, table));
  }
  if (serial) {
    scope.report("adding-serial-field", at,
                 fmt::format("adding {} column {} rewrites {} under an ACCESS EXCLUSIVE lock", type,
                             name, table));
  } else if (identity || generated) {
    scope.report("table-rewrite", at,
                 fmt::format("adding {} column {} rewrites {} under an ACCESS EXCLUSIVE lock",
                             identity ? "identity" : "stored generated", name, table));
  } else if (default_expr != nullptr && may_be_volatile(default_expr)) {
    scope.report("adding-field-with-volatile-default", at,
                 fmt::format("column {} gets a volatile default: every row of {} is rewritten "
                             "under an ACCESS EXCLUSIVE lock",
                             name, table));
  }
  if (primary || has_constraint(column->constraints, CONSTR_UNIQUE)) {
    scope.report("adding-unique-constraint", at,
                 fmt::format("a {} column builds its index on {} under an ACCESS EXCLUSIVE lock",
                             primary ? "PRIMARY KEY" : "UNIQUE", table));
  }
  if (has_constraint(column->constraints, CONSTR_FOREIGN)) {
    scope.report("adding-foreign-key-constraint", at,
                 fmt::format("column {} adds a foreign key that locks {} and the referenced table",
                             name, table));
  }
  if (has_constraint(column->constraints, CONSTR_CHECK)) {
    scope.report("constraint-missing-not-valid", at,
                 fmt::format("a CHECK on new column {} is validated against every row of {} under "
                             "an ACCESS EXCLUSIVE lock",
                             name, table));
  }
}

void classify_create_table(const CreateStmt* stmt, Scope& scope) {
  const std::string name = pg::qualified(stmt->relation);
  scope.add_object(name);
  scope.file().created_relations.insert(name);
  const ListCell* cell;
  foreach (cell, stmt->tableElts) {
    const Node* element = static_cast<const Node*>(lfirst(cell));
    if (IsA(element, ColumnDef)) {
      classify_column_definition(castNode(ColumnDef, element), name, false, scope);
    } else if (IsA(element, Constraint)) {
      referenced_tables(stmt->tableElts, scope);
    } else if (IsA(element, TableLikeClause)) {
      scope.lock(LockMode::access_share,
                 pg::qualified(castNode(TableLikeClause, element)->relation));
    }
  }
  // A partition takes ACCESS EXCLUSIVE on its parent; inheritance SHARE UPDATE EXCLUSIVE.
  foreach (cell, stmt->inhRelations) {
    const RangeVar* parent = castNode(RangeVar, lfirst(cell));
    scope.lock(stmt->partbound ? LockMode::access_exclusive : LockMode::share_update_exclusive,
               pg::qualified(parent));
  }
}

void classify_index(const IndexStmt* stmt, Scope& scope) {
  const std::string table = pg::qualified(stmt->relation);
  const std::string schema = table.substr(0, table.find('.'));
  scope.add_object(table);
  if (stmt->idxname) scope.file().created_relations.insert(schema + "." + stmt->idxname);
  if (stmt->concurrent) {
    scope.add(Effect::non_transactional);
    scope.lock(LockMode::share_update_exclusive, table);
    if (scope.file().transaction_depth > 0) {
      scope.report("concurrently-in-transaction", -1,
                   "CREATE INDEX CONCURRENTLY cannot run inside a transaction block");
    }
    return;
  }
  scope.lock(LockMode::share, table);
  if (scope.existing(table)) {
    scope.report(
        "require-concurrent-index-creation", -1,
        fmt::format("CREATE INDEX without CONCURRENTLY blocks writes to {} while the index "
                    "is built",
                    table));
  }
}

void classify_drop(const DropStmt* stmt, Scope& scope) {
  const ObjectType type = stmt->removeType;
  const std::string_view word = object_type_word(type);
  bool any_existing = false;
  const ListCell* cell;
  foreach (cell, stmt->objects) {
    const Node* object = static_cast<const Node*>(lfirst(cell));
    std::string name = object_name(object, type);
    scope.add_object(name);
    const bool relation = type == OBJECT_TABLE || type == OBJECT_FOREIGN_TABLE ||
                          type == OBJECT_MATVIEW || type == OBJECT_SEQUENCE ||
                          type == OBJECT_VIEW || type == OBJECT_INDEX;
    const bool existing = !relation || scope.existing(name);
    if (relation && !existing) {
      scope.file().created_relations.erase(name);  // gone again; nothing existing was touched
      continue;
    }
    if (type == OBJECT_FUNCTION || type == OBJECT_PROCEDURE) {
      const std::string fn = pg::function_name(castNode(ObjectWithArgs, object)->objname);
      if (scope.file().functions.erase(fn) > 0) continue;
    }
    any_existing = true;
    switch (type) {
      case OBJECT_TABLE:
      case OBJECT_FOREIGN_TABLE:
        scope.add(Effect::data_loss);
        scope.add(Effect::schema_break);
        scope.lock(LockMode::access_exclusive, name);
        scope.report("ban-drop-table", -1,
                     fmt::format("DROP {} {} deletes the table and all its rows", word, name));
        break;
      case OBJECT_SCHEMA:
        scope.add(Effect::data_loss);
        scope.add(Effect::schema_break);
        scope.report("ban-drop-schema", -1, fmt::format("DROP SCHEMA {} deletes the schema", name));
        break;
      case OBJECT_MATVIEW:
        scope.add(Effect::data_loss);
        scope.add(Effect::schema_break);
        scope.lock(LockMode::access_exclusive, name);
        scope.report("ban-drop-materialized-view", -1,
                     fmt::format("DROP MATERIALIZED VIEW {} deletes its stored rows", name));
        break;
      case OBJECT_SEQUENCE:
        scope.add(Effect::data_loss);
        scope.add(Effect::schema_break);
        scope.lock(LockMode::access_exclusive, name);
        scope.report("ban-drop-sequence", -1,
                     fmt::format("DROP SEQUENCE {} loses its current value", name));
        break;
      case OBJECT_INDEX:
        scope.add(Effect::schema_break);
        if (stmt->concurrent) {
          scope.add(Effect::non_transactional);
          scope.lock(LockMode::share_update_exclusive, name);
          if (scope.file().transaction_depth > 0) {
            scope.report("concurrently-in-transaction", -1,
                         "DROP INDEX CONCURRENTLY cannot run inside a transaction block");
          }
        } else {
          scope.lock(LockMode::access_exclusive, name);
          scope.report("require-concurrent-index-deletion", -1,
                       fmt::format("DROP INDEX {} without CONCURRENTLY blocks reads and writes of "
                                   "its table",
                                   name));
        }
        break;
      case OBJECT_POLICY:
        scope.add(Effect::privilege);
        scope.lock(LockMode::access_exclusive, owning_table(object));
        scope.report("privilege-change", -1,
                     fmt::format("DROP POLICY {} changes who sees which rows", name));
        break;
      case OBJECT_TRIGGER:
      case OBJECT_RULE:
        scope.add(Effect::schema_break);
        scope.lock(LockMode::access_exclusive, owning_table(object));
        scope.report(
            "drop-object", -1,
            fmt::format("DROP {} {}: behaviour that clients rely on goes away", word, name));
        break;
      default:
        scope.add(Effect::schema_break);
        if (type == OBJECT_VIEW) scope.lock(LockMode::access_exclusive, name);
        scope.report("drop-object", -1,
                     fmt::format("DROP {} {}: clients that use it will fail", word, name));
        break;
    }
  }
  if (stmt->behavior == DROP_CASCADE && any_existing) {
    scope.add(Effect::data_loss);
    scope.report("drop-cascade", -1,
                 fmt::format("DROP {} ... CASCADE also drops every dependent object (views, "
                             "foreign keys, columns of its types), unnamed here",
                             word));
  }
}

void classify_truncate(const TruncateStmt* stmt, Scope& scope) {
  bool any_existing = false;
  std::string names;
  const ListCell* cell;
  foreach (cell, stmt->relations) {
    const std::string name = pg::qualified(castNode(RangeVar, lfirst(cell)));
    scope.add_object(name);
    scope.lock(LockMode::access_exclusive, name);
    if (!scope.existing(name)) continue;
    any_existing = true;
    names += (names.empty() ? "" : ", ") + name;
  }
  if (!any_existing) return;
  scope.add(Effect::data_loss);
  scope.report("ban-truncate", -1, fmt::format("TRUNCATE {} deletes every row at once", names));
  if (stmt->behavior == DROP_CASCADE) {
    scope.report(
        "truncate-cascade", -1,
        "TRUNCATE ... CASCADE also empties every table with a foreign key to these tables");
  }
  if (stmt->restart_seqs) {
    scope.report("sequence-restart", -1, "RESTART IDENTITY resets the sequences these tables own");
  }
}

void classify_rename(const RenameStmt* stmt, Scope& scope) {
  std::string name =
      stmt->relation ? pg::qualified(stmt->relation) : object_name(stmt->object, stmt->renameType);
  scope.add_object(name);
  const bool existing = !stmt->relation || scope.existing(name);
  if (stmt->relation) {
    // ALTER INDEX ... RENAME takes SHARE UPDATE EXCLUSIVE; other renames of relations ACCESS
    // EXCLUSIVE.
    scope.lock(stmt->renameType == OBJECT_INDEX ? LockMode::share_update_exclusive
                                                : LockMode::access_exclusive,
               name);
  }
  const bool renames_relation =
      stmt->renameType == OBJECT_TABLE || stmt->renameType == OBJECT_VIEW ||
      stmt->renameType == OBJECT_MATVIEW || stmt->renameType == OBJECT_FOREIGN_TABLE ||
      stmt->renameType == OBJECT_SEQUENCE || stmt->renameType == OBJECT_INDEX;
  if (renames_relation && stmt->relation && stmt->newname) {
    std::string schema = name.substr(0, name.find('.'));
    if (!existing) {
      scope.file().created_relations.erase(name);
      scope.file().created_relations.insert(schema + "." + stmt->newname);
    }
  }
  if (!existing) return;
  scope.add(Effect::schema_break);
  const std::string to = stmt->newname ? stmt->newname : "?";
  if (stmt->renameType == OBJECT_COLUMN) {
    scope.report("renaming-column", -1,
                 fmt::format("renaming column {} of {} to {} breaks every query that names it",
                             stmt->subname ? stmt->subname : "?", name, to));
  } else if (stmt->renameType == OBJECT_TABLE) {
    scope.report("renaming-table", -1,
                 fmt::format("renaming table {} to {} breaks every query that names it", name, to));
  } else {
    scope.report("renaming-object", -1,
                 fmt::format("renaming {} {} to {} breaks every client that names it",
                             object_type_word(stmt->renameType), name, to));
  }
}

}  // namespace safedb::sql
