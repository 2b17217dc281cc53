#include <fmt/format.h>

#include <string>

#include "sql/classify.h"

namespace safedb::sql {
namespace {

// The lock PostgreSQL takes for one ALTER TABLE subcommand (tablecmds.c,
// AlterTableGetLockLevel). Anything not listed takes ACCESS EXCLUSIVE.
LockMode lock_for(const AlterTableCmd* cmd) {
  switch (cmd->subtype) {
    case AT_SetStatistics:
    case AT_SetOptions:
    case AT_ResetOptions:
    case AT_ClusterOn:
    case AT_DropCluster:
    case AT_SetRelOptions:
    case AT_ResetRelOptions:
    case AT_ReplaceRelOptions:
    case AT_ValidateConstraint:
    case AT_AttachPartition:
    case AT_DetachPartitionFinalize:
      return LockMode::share_update_exclusive;
    case AT_EnableTrig:
    case AT_EnableAlwaysTrig:
    case AT_EnableReplicaTrig:
    case AT_DisableTrig:
    case AT_EnableTrigAll:
    case AT_DisableTrigAll:
    case AT_EnableTrigUser:
    case AT_DisableTrigUser:
      return LockMode::share_row_exclusive;
    case AT_AddConstraint: {
      const Constraint* c = castNode(Constraint, cmd->def);
      return c->contype == CONSTR_FOREIGN ? LockMode::share_row_exclusive
                                          : LockMode::access_exclusive;
    }
    case AT_DetachPartition: {
      const PartitionCmd* p = castNode(PartitionCmd, cmd->def);
      return p->concurrent ? LockMode::share_update_exclusive : LockMode::access_exclusive;
    }
    default:
      return LockMode::access_exclusive;
  }
}

void add_constraint(const Constraint* c, const std::string& table, bool existing, Scope& scope) {
  const std::string name = c->conname ? c->conname : "(unnamed)";
  switch (c->contype) {
    case CONSTR_FOREIGN:
      if (c->pktable) scope.lock(LockMode::share_row_exclusive, pg::qualified(c->pktable));
      if (existing && !c->skip_validation) {
        scope.report("adding-foreign-key-constraint", c->location,
                     fmt::format("foreign key {} is validated against every row of {} while both "
                                 "tables are locked against writes",
                                 name, table));
      }
      break;
    case CONSTR_CHECK:
      if (existing && !c->skip_validation) {
        scope.report(
            "constraint-missing-not-valid", c->location,
            fmt::format("CHECK constraint {} is validated against every row of {} under an "
                        "ACCESS EXCLUSIVE lock",
                        name, table));
      }
      break;
    case CONSTR_PRIMARY:
    case CONSTR_UNIQUE:
    case CONSTR_EXCLUSION:
      if (existing && c->indexname == nullptr) {
        scope.report(
            "adding-unique-constraint", c->location,
            fmt::format("constraint {} builds its index on {} under an ACCESS EXCLUSIVE lock", name,
                        table));
      }
      break;
    default:
      break;
  }
}

}  // namespace

void classify_alter_table(const AlterTableStmt* stmt, Scope& scope) {
  const std::string table = pg::qualified(stmt->relation);
  const bool existing = scope.existing(table);
  scope.add_object(table);
  const ListCell* cell;
  foreach (cell, stmt->cmds) {
    const AlterTableCmd* cmd = castNode(AlterTableCmd, lfirst(cell));
    scope.lock(lock_for(cmd), table);
    const std::string column = cmd->name ? cmd->name : "?";
    switch (cmd->subtype) {
      case AT_AddColumn:
        classify_column_definition(castNode(ColumnDef, cmd->def), table, existing, scope);
        break;
      case AT_DropColumn:
        if (!existing) break;
        scope.add(Effect::data_loss);
        scope.add(Effect::schema_break);
        scope.report(
            "ban-drop-column", -1,
            fmt::format("dropping column {} of {} deletes its values in every row", column, table));
        if (cmd->behavior == DROP_CASCADE) {
          scope.report(
              "drop-cascade", -1,
              "DROP COLUMN ... CASCADE also drops views, indexes and constraints that use it");
        }
        break;
      case AT_AlterColumnType:
        if (!existing) break;
        scope.add(Effect::data_loss);
        scope.add(Effect::schema_break);
        scope.report("changing-column-type", -1,
                     fmt::format("changing the type of {}.{} rewrites the table under an ACCESS "
                                 "EXCLUSIVE lock and may change or truncate values",
                                 table, column));
        break;
      case AT_SetNotNull:
        if (!existing) break;
        scope.add(Effect::schema_break);
        scope.report(
            "setting-not-null", -1,
            fmt::format("SET NOT NULL on {}.{} scans every row under an ACCESS EXCLUSIVE lock",
                        table, column));
        break;
      case AT_DropNotNull:
        if (!existing) break;
        scope.add(Effect::schema_break);
        scope.report("ban-drop-not-null", -1,
                     fmt::format("DROP NOT NULL on {}.{}: clients that expect a value may break",
                                 table, column));
        break;
      case AT_AddConstraint:
        add_constraint(castNode(Constraint, cmd->def), table, existing, scope);
        break;
      case AT_DropConstraint:
        if (!existing) break;
        scope.add(Effect::schema_break);
        scope.report(
            "drop-object", -1,
            fmt::format("dropping constraint {} of {} removes a guarantee clients may rely on",
                        column, table));
        if (cmd->behavior == DROP_CASCADE) {
          scope.add(Effect::data_loss);
          scope.report("drop-cascade", -1,
                       "DROP CONSTRAINT ... CASCADE also drops the foreign keys that depend on it");
        }
        break;
      case AT_SetLogged:
      case AT_SetUnLogged:
      case AT_SetAccessMethod:
      case AT_SetTableSpace:
      case AT_SetExpression:
        if (!existing) break;
        scope.report(
            "table-rewrite", -1,
            fmt::format("this form of ALTER TABLE rewrites {} under an ACCESS EXCLUSIVE lock",
                        table));
        break;
      case AT_ChangeOwner:
        scope.add(Effect::privilege);
        scope.report("privilege-change", -1,
                     fmt::format("ALTER TABLE {} OWNER TO changes who controls it", table));
        break;
      case AT_EnableRowSecurity:
      case AT_ForceRowSecurity:
        scope.add(Effect::privilege);
        if (existing) {
          scope.report(
              "privilege-change", -1,
              fmt::format("row-level security on {} hides rows that no policy grants", table));
        }
        break;
      case AT_DisableRowSecurity:
      case AT_NoForceRowSecurity:
        scope.add(Effect::privilege);
        scope.report(
            "disable-row-level-security", -1,
            fmt::format("row-level security on {} is relaxed: rows its policies hid become visible",
                        table));
        break;
      case AT_DisableTrig:
      case AT_DisableTrigAll:
      case AT_DisableTrigUser:
        scope.add(Effect::privilege);
        scope.report(
            "disable-trigger", -1,
            fmt::format("disabling triggers on {} bypasses the checks and audit they implement",
                        table));
        break;
      case AT_DetachPartition:
        if (const PartitionCmd* p = castNode(PartitionCmd, cmd->def); p->name) {
          scope.lock(LockMode::access_exclusive, pg::qualified(p->name));
        }
        scope.add(Effect::schema_break);
        if (castNode(PartitionCmd, cmd->def)->concurrent) scope.add(Effect::non_transactional);
        break;
      case AT_SetIdentity:
        if (!existing || !pg::names_option(castNode(List, cmd->def), "restart")) break;
        scope.add(Effect::data_loss);
        scope.report("sequence-restart", -1,
                     fmt::format("ALTER TABLE {} ALTER COLUMN {} RESTART can hand out identity "
                                 "values that are already in use",
                                 table, column));
        break;
      case AT_AddInherit:
      case AT_DropInherit:
      case AT_DropExpression:
      case AT_DropIdentity:
        if (existing) scope.add(Effect::schema_break);
        break;
      case AT_AttachPartition: {
        const PartitionCmd* p = castNode(PartitionCmd, cmd->def);
        if (p->name) scope.lock(LockMode::access_exclusive, pg::qualified(p->name));
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace safedb::sql
