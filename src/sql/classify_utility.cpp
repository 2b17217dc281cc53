#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "sql/classify.h"

namespace safedb::sql {
namespace {

bool has_option(const List* options, const char* name) {
  const ListCell* cell;
  foreach (cell, options) {
    const DefElem* d = castNode(DefElem, lfirst(cell));
    if (d->defname && std::string_view(d->defname) == name) {
      // "VACUUM (FULL false)" names the option but turns it off.
      if (d->arg == nullptr) return true;
      if (IsA(d->arg, Boolean)) return boolVal(d->arg);
      if (IsA(d->arg, Integer)) return intVal(d->arg) != 0;
      std::string v(pg::string_value(d->arg));
      return !(v == "false" || v == "off" || v == "0");
    }
  }
  return false;
}

LockMode lock_mode_from_int(int mode) {
  // LOCK's modes are numbered as in lockdefs.h: AccessShareLock = 1 ... AccessExclusiveLock = 8.
  if (mode < 1 || mode > 8) return LockMode::access_exclusive;
  return static_cast<LockMode>(mode);
}

// The value of "SET name = value" as text, "" for DEFAULT / RESET.
std::string set_value(const VariableSetStmt* stmt) {
  if (stmt->kind != VAR_SET_VALUE || stmt->args == NIL) return {};
  const Node* arg = static_cast<const Node*>(linitial(stmt->args));
  if (auto s = string_constant(arg)) return *s;
  if (IsA(arg, A_Const) && IsA(&castNode(A_Const, arg)->val.node, Integer)) {
    return std::to_string(castNode(A_Const, arg)->val.ival.ival);
  }
  return "?";
}

// "2s", '5000' and the like turn a timeout on; 0, DEFAULT and RESET turn it off.
bool timeout_enabled(const std::string& value) {
  return std::strtod(value.c_str(), nullptr) > 0;
}

void classify_set(const VariableSetStmt* stmt, Scope& scope) {
  FileState& file = scope.file();
  if (stmt->kind == VAR_RESET_ALL) {
    file.lock_timeout_set = file.statement_timeout_set = false;
    return;
  }
  if (stmt->name == nullptr) return;
  const std::string name = stmt->name;
  const std::string value = set_value(stmt);
  if (name == "lock_timeout") {
    file.lock_timeout_set = timeout_enabled(value);
  } else if (name == "statement_timeout") {
    file.statement_timeout_set = timeout_enabled(value);
  } else if (name == "session_replication_role") {
    scope.add(Effect::privilege);
    if (value == "replica") {
      scope.report("disable-trigger", -1,
                   "session_replication_role = replica disables triggers and foreign-key checks");
    }
  } else if (name == "role" || name == "session_authorization") {
    scope.add(Effect::privilege);
    scope.report("privilege-change", -1,
                 fmt::format("SET {} changes the identity statements run as", name));
  }
}

void classify_transaction(const TransactionStmt* stmt, Scope& scope) {
  FileState& file = scope.file();
  switch (stmt->kind) {
    case TRANS_STMT_BEGIN:
    case TRANS_STMT_START:
      scope.mark_transaction_control();
      ++file.transaction_depth;
      scope.report("transaction-nesting", -1,
                   "explicit BEGIN: safedb already runs the file in one transaction");
      break;
    case TRANS_STMT_COMMIT:
    case TRANS_STMT_ROLLBACK:
      scope.mark_transaction_control();
      if (file.transaction_depth > 0) --file.transaction_depth;
      scope.report("transaction-nesting", -1,
                   "explicit COMMIT/ROLLBACK: it ends the transaction safedb runs the file in");
      break;
    case TRANS_STMT_PREPARE:
    case TRANS_STMT_COMMIT_PREPARED:
    case TRANS_STMT_ROLLBACK_PREPARED:
      scope.mark_transaction_control();
      scope.add(Effect::opaque);
      scope.add(Effect::non_transactional);
      scope.report("transaction-nesting", -1,
                   "two-phase commit commands leave or act on prepared transactions");
      break;
    default:  // SAVEPOINT, RELEASE, ROLLBACK TO: fine inside safedb's transaction
      break;
  }
}

void classify_vacuum(const VacuumStmt* stmt, Scope& scope) {
  scope.add(Effect::maintenance);
  const bool full = stmt->is_vacuumcmd && has_option(stmt->options, "full");
  if (stmt->is_vacuumcmd) scope.add(Effect::non_transactional);
  const LockMode mode = full ? LockMode::access_exclusive : LockMode::share_update_exclusive;
  std::string names;
  const ListCell* cell;
  foreach (cell, stmt->rels) {
    const VacuumRelation* rel = castNode(VacuumRelation, lfirst(cell));
    if (rel->relation == nullptr) continue;
    const std::string name = pg::qualified(rel->relation);
    scope.add_object(name);
    scope.lock(mode, name);
    names += (names.empty() ? "" : ", ") + name;
  }
  if (stmt->rels == NIL) scope.lock_unnamed(mode);
  if (full) {
    scope.report("vacuum-full", -1,
                 fmt::format("VACUUM FULL rewrites {} under an ACCESS EXCLUSIVE lock",
                             names.empty() ? std::string("every table") : names));
  }
}

void classify_reindex(const ReindexStmt* stmt, Scope& scope) {
  scope.add(Effect::maintenance);
  const bool concurrently = has_option(stmt->params, "concurrently");
  if (concurrently) {
    scope.add(Effect::non_transactional);
    if (scope.file().transaction_depth > 0) {
      scope.report("concurrently-in-transaction", -1,
                   "REINDEX CONCURRENTLY cannot run inside a transaction block");
    }
  }
  if (stmt->relation == nullptr) {  // SCHEMA, SYSTEM, DATABASE
    scope.add(Effect::non_transactional);
    if (!concurrently) {
      scope.lock_unnamed(LockMode::share);  // SHARE on each table, ACCESS EXCLUSIVE on its indexes
      scope.report("require-concurrent-reindex", -1,
                   fmt::format("REINDEX {} without CONCURRENTLY locks every table it covers",
                               stmt->name ? stmt->name : ""));
    }
    return;
  }
  const std::string name = pg::qualified(stmt->relation);
  scope.add_object(name);
  // Plain REINDEX takes SHARE on the table and ACCESS EXCLUSIVE on each index.
  scope.lock(concurrently ? LockMode::share_update_exclusive : LockMode::access_exclusive, name);
  if (!concurrently && scope.existing(name)) {
    scope.report("require-concurrent-reindex", -1,
                 fmt::format("REINDEX of {} without CONCURRENTLY blocks writes, and reads that use "
                             "the index, until it finishes",
                             name));
  }
}

void classify_privilege(const Node* node, Scope& scope) {
  scope.add(Effect::privilege);
  if (IsA(node, CreatePolicyStmt)) {
    scope.lock(LockMode::access_exclusive, pg::qualified(castNode(CreatePolicyStmt, node)->table));
  } else if (IsA(node, AlterPolicyStmt)) {
    scope.lock(LockMode::access_exclusive, pg::qualified(castNode(AlterPolicyStmt, node)->table));
  }
  std::string what;
  switch (nodeTag(node)) {
    case T_GrantStmt:
      what = castNode(GrantStmt, node)->is_grant ? "GRANT" : "REVOKE";
      break;
    case T_GrantRoleStmt:
      what = castNode(GrantRoleStmt, node)->is_grant ? "GRANT role" : "REVOKE role";
      break;
    case T_CreateRoleStmt:
      what = "CREATE ROLE";
      break;
    case T_AlterRoleStmt:
      what = "ALTER ROLE";
      break;
    case T_AlterRoleSetStmt:
      what = "ALTER ROLE ... SET";
      break;
    case T_DropRoleStmt:
      what = "DROP ROLE";
      break;
    case T_AlterOwnerStmt:
      what = "ALTER ... OWNER TO";
      break;
    case T_AlterDefaultPrivilegesStmt:
      what = "ALTER DEFAULT PRIVILEGES";
      break;
    case T_CreatePolicyStmt:
      what = "CREATE POLICY";
      break;
    case T_AlterPolicyStmt:
      what = "ALTER POLICY";
      break;
    case T_ReassignOwnedStmt:
      what = "REASSIGN OWNED";
      break;
    case T_CreateUserMappingStmt:
      what = "CREATE USER MAPPING";
      break;
    case T_AlterUserMappingStmt:
      what = "ALTER USER MAPPING";
      break;
    case T_DropUserMappingStmt:
      what = "DROP USER MAPPING";
      break;
    case T_CreateEventTrigStmt:
      what = "CREATE EVENT TRIGGER";
      break;
    case T_AlterEventTrigStmt:
      what = "ALTER EVENT TRIGGER";
      break;
    default:
      what = std::string(pg::node_name(node));
      break;
  }
  scope.report("privilege-change", -1, fmt::format("{} changes who may do what", what));
}

}  // namespace

bool classify_utility(const Node* node, Scope& scope) {
  switch (nodeTag(node)) {
    case T_VacuumStmt:
      classify_vacuum(castNode(VacuumStmt, node), scope);
      return true;
    case T_ReindexStmt:
      classify_reindex(castNode(ReindexStmt, node), scope);
      return true;
    case T_ClusterStmt: {
      const ClusterStmt* s = castNode(ClusterStmt, node);
      scope.add(Effect::maintenance);
      if (s->relation == nullptr) {
        scope.add(Effect::non_transactional);
        scope.lock_unnamed(LockMode::access_exclusive);  // every table marked CLUSTER ON
      } else {
        scope.add_object(pg::qualified(s->relation));
        scope.lock(LockMode::access_exclusive, pg::qualified(s->relation));
      }
      scope.report("cluster-table", -1,
                   "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock");
      return true;
    }
    case T_RefreshMatViewStmt: {
      const RefreshMatViewStmt* s = castNode(RefreshMatViewStmt, node);
      const std::string name = pg::qualified(s->relation);
      scope.add_object(name);
      scope.lock(s->concurrent ? LockMode::exclusive : LockMode::access_exclusive, name);
      if (!s->concurrent && scope.existing(name)) {
        scope.report(
            "refresh-materialized-view", -1,
            fmt::format("REFRESH MATERIALIZED VIEW {} blocks reads of it until done", name));
      }
      return true;
    }
    case T_LockStmt: {
      const LockStmt* s = castNode(LockStmt, node);
      const LockMode mode = lock_mode_from_int(s->mode);
      const ListCell* cell;
      foreach (cell, s->relations) {
        const std::string name = pg::qualified(castNode(RangeVar, lfirst(cell)));
        scope.add_object(name);
        scope.lock(mode, name);
      }
      if (blocks_writes(mode)) {
        scope.report(
            "lock-table", -1,
            fmt::format("LOCK ... IN {} MODE blocks other sessions until the transaction ends",
                        to_string(mode)));
      }
      return true;
    }
    case T_GrantStmt:
    case T_GrantRoleStmt:
    case T_CreateRoleStmt:
    case T_AlterRoleStmt:
    case T_AlterRoleSetStmt:
    case T_DropRoleStmt:
    case T_AlterOwnerStmt:
    case T_AlterDefaultPrivilegesStmt:
    case T_CreatePolicyStmt:
    case T_AlterPolicyStmt:
    case T_ReassignOwnedStmt:
    case T_CreateUserMappingStmt:
    case T_AlterUserMappingStmt:
    case T_DropUserMappingStmt:
    case T_CreateEventTrigStmt:
    case T_AlterEventTrigStmt:
      classify_privilege(node, scope);
      return true;
    case T_DropOwnedStmt:
      scope.add(Effect::data_loss);
      scope.add(Effect::privilege);
      scope.report("drop-owned", -1,
                   "DROP OWNED drops every object the roles own, with their data");
      return true;
    case T_VariableSetStmt:
      classify_set(castNode(VariableSetStmt, node), scope);
      return true;
    case T_TransactionStmt:
      classify_transaction(castNode(TransactionStmt, node), scope);
      return true;
    case T_CopyStmt: {
      const CopyStmt* s = castNode(CopyStmt, node);
      if (s->is_program || s->filename != nullptr) {
        scope.add(Effect::opaque);
        scope.report("copy-program", -1,
                     s->is_program
                         ? "COPY ... PROGRAM runs a shell command on the database server"
                         : "COPY with a server-side file reads or writes the server's file system");
      }
      if (s->relation) {
        const std::string name = pg::qualified(s->relation);
        if (s->is_from) scope.add_object(name);
        scope.lock(s->is_from ? LockMode::row_exclusive : LockMode::access_share, name);
      }
      if (s->query) classify_statement(s->query, scope);
      return true;
    }
    case T_LoadStmt:
      scope.add(Effect::opaque);
      scope.report("load-library", -1, "LOAD loads a shared library into the server process");
      return true;
    case T_CallStmt: {
      const CallStmt* s = castNode(CallStmt, node);
      const std::string name = pg::function_name(s->funccall->funcname);
      auto it = scope.file().functions.find(name);
      if (it != scope.file().functions.end()) {
        scope.add(it->second.effects);
        for (const std::string& o : it->second.objects)
          scope.add_object(o);
        scope.take_locks(it->second);
      } else {
        scope.add(Effect::opaque);
        scope.report("call-procedure", -1,
                     fmt::format("CALL {} runs a procedure whose effects safedb cannot see", name));
      }
      classify_expressions(reinterpret_cast<const Node*>(s->funccall->args), scope);
      return true;
    }
    case T_PrepareStmt: {
      const PrepareStmt* s = castNode(PrepareStmt, node);
      Sink prepared;
      Scope inner = scope.redirected(prepared);
      classify_statement(s->query, inner);
      scope.file().prepared[s->name ? s->name : ""] = prepared;
      return true;
    }
    case T_ExecuteStmt: {
      const ExecuteStmt* s = castNode(ExecuteStmt, node);
      auto it = scope.file().prepared.find(s->name ? s->name : "");
      if (it == scope.file().prepared.end()) {
        scope.add(Effect::opaque);
        scope.report("unknown-prepared-statement", -1,
                     fmt::format("EXECUTE {} runs a statement prepared outside this file",
                                 s->name ? s->name : ""));
      } else {
        scope.add(it->second.effects);
        for (const std::string& o : it->second.objects)
          scope.add_object(o);
        scope.take_locks(it->second);
      }
      classify_expressions(reinterpret_cast<const Node*>(s->params), scope);
      return true;
    }
    case T_DeallocateStmt: {
      const DeallocateStmt* s = castNode(DeallocateStmt, node);
      if (s->name) scope.file().prepared.erase(s->name);
      return true;
    }
    case T_ExplainStmt: {
      // EXPLAIN ANALYZE executes its statement; plain EXPLAIN only plans it.
      const ExplainStmt* s = castNode(ExplainStmt, node);
      if (has_option(s->options, "analyze")) {
        classify_statement(s->query, scope);
      } else {
        Sink planned;
        std::vector<Finding> ignored;
        Scope planning = scope.isolated(planned, ignored);
        classify_statement(s->query, planning);
        scope.take_locks(planned);
      }
      return true;
    }
    case T_DeclareCursorStmt:
      classify_statement(castNode(DeclareCursorStmt, node)->query, scope);
      return true;
    case T_CreatedbStmt:
    case T_CreateTableSpaceStmt:
      scope.add(Effect::non_transactional);
      return true;
    case T_DropTableSpaceStmt:
      scope.add(Effect::non_transactional);
      scope.add(Effect::schema_break);
      scope.report("drop-object", -1,
                   "DROP TABLESPACE: objects stored there can no longer be created");
      return true;
    case T_DropdbStmt: {
      const DropdbStmt* s = castNode(DropdbStmt, node);
      scope.add(Effect::data_loss);
      scope.add(Effect::non_transactional);
      scope.add_object(s->dbname ? s->dbname : "");
      scope.report(
          "ban-drop-database", -1,
          fmt::format("DROP DATABASE {} deletes the whole database", s->dbname ? s->dbname : ""));
      return true;
    }
    case T_AlterSystemStmt:
      scope.add(Effect::privilege);
      scope.add(Effect::non_transactional);
      scope.report("alter-system", -1,
                   "ALTER SYSTEM changes the server configuration for every database");
      return true;
    case T_AlterDatabaseStmt:
    case T_AlterDatabaseSetStmt:
    case T_AlterDatabaseRefreshCollStmt:
      scope.add(Effect::privilege);
      return true;
    case T_CreateTableAsStmt: {
      const CreateTableAsStmt* s = castNode(CreateTableAsStmt, node);
      if (s->into && s->into->rel) {
        const std::string name = pg::qualified(s->into->rel);
        scope.add_object(name);
        scope.file().created_relations.insert(name);
      }
      // A materialized view WITH NO DATA runs nothing now; otherwise the query runs.
      if (!(s->into && s->into->skipData)) classify_statement(s->query, scope);
      return true;
    }
    case T_ViewStmt: {
      const ViewStmt* s = castNode(ViewStmt, node);
      const std::string name = pg::qualified(s->view);
      scope.add_object(name);
      Sink read;
      std::vector<Finding> ignored;
      Scope analysed = scope.isolated(read, ignored);
      classify_statement(s->query, analysed);
      scope.take_locks(read);
      if (s->replace && scope.existing(name)) scope.lock(LockMode::access_exclusive, name);
      scope.file().created_relations.insert(name);
      return true;
    }
    case T_CreateSeqStmt: {
      const CreateSeqStmt* s = castNode(CreateSeqStmt, node);
      const ListCell* option_cell;
      foreach (option_cell, s->options) {
        const DefElem* d = castNode(DefElem, lfirst(option_cell));
        if (d->defname && std::string_view(d->defname) == "owned_by" && d->arg &&
            IsA(d->arg, List) && list_length(castNode(List, d->arg)) >= 2) {
          List* table = list_truncate(list_copy(castNode(List, d->arg)),
                                      list_length(castNode(List, d->arg)) - 1);
          scope.lock(LockMode::access_share, pg::qualified(table));
        }
      }
      const std::string name = pg::qualified(s->sequence);
      scope.add_object(name);
      scope.file().created_relations.insert(name);
      return true;
    }
    case T_AlterSeqStmt: {
      const AlterSeqStmt* s = castNode(AlterSeqStmt, node);
      const std::string name = pg::qualified(s->sequence);
      scope.add_object(name);
      scope.lock(LockMode::share_row_exclusive, name);
      if (pg::names_option(s->options, "restart") && scope.existing(name)) {
        scope.add(Effect::data_loss);
        scope.report(
            "sequence-restart", -1,
            fmt::format("ALTER SEQUENCE {} RESTART can hand out values that are already in use",
                        name));
      }
      return true;
    }
    case T_CreateSchemaStmt: {
      const CreateSchemaStmt* s = castNode(CreateSchemaStmt, node);
      const ListCell* cell;
      foreach (cell, s->schemaElts)
        classify_statement(static_cast<const Node*>(lfirst(cell)), scope);
      return true;
    }
    case T_CreateTrigStmt: {
      const CreateTrigStmt* s = castNode(CreateTrigStmt, node);
      const std::string name = pg::qualified(s->relation);
      scope.add_object(name);
      scope.lock(LockMode::share_row_exclusive, name);
      return true;
    }
    case T_RuleStmt: {
      const RuleStmt* s = castNode(RuleStmt, node);
      const std::string name = pg::qualified(s->relation);
      scope.add_object(name);
      scope.lock(LockMode::access_exclusive, name);
      if (scope.existing(name)) scope.add(Effect::schema_break);
      return true;
    }
    case T_CommentStmt: {
      const CommentStmt* s = castNode(CommentStmt, node);
      if (s->object && IsA(s->object, List)) {
        List* names = list_copy(castNode(List, s->object));
        if (s->objtype == OBJECT_COLUMN) names = list_truncate(names, list_length(names) - 1);
        if (s->objtype == OBJECT_TABLE || s->objtype == OBJECT_COLUMN ||
            s->objtype == OBJECT_INDEX || s->objtype == OBJECT_VIEW ||
            s->objtype == OBJECT_MATVIEW || s->objtype == OBJECT_SEQUENCE ||
            s->objtype == OBJECT_FOREIGN_TABLE) {
          scope.lock(LockMode::share_update_exclusive, pg::qualified(names));
        }
      }
      return true;
    }
    case T_CreateStatsStmt: {
      const ListCell* cell;
      foreach (cell, castNode(CreateStatsStmt, node)->relations) {
        const Node* n = static_cast<const Node*>(lfirst(cell));
        if (IsA(n, RangeVar))
          scope.lock(LockMode::share_update_exclusive, pg::qualified(castNode(RangeVar, n)));
      }
      return true;
    }
    case T_CreatePublicationStmt: {
      const ListCell* cell;
      foreach (cell, castNode(CreatePublicationStmt, node)->pubobjects) {
        const PublicationObjSpec* spec = castNode(PublicationObjSpec, lfirst(cell));
        if (spec->pubtable && spec->pubtable->relation) {
          scope.lock(LockMode::share_update_exclusive, pg::qualified(spec->pubtable->relation));
        }
      }
      return true;
    }
    case T_DiscardStmt:
      // DISCARD ALL cannot run inside a transaction block.
      if (castNode(DiscardStmt, node)->target == DISCARD_ALL) scope.add(Effect::non_transactional);
      return true;
    case T_SecLabelStmt:
      return true;
    case T_AlterObjectSchemaStmt: {
      const AlterObjectSchemaStmt* s = castNode(AlterObjectSchemaStmt, node);
      if (s->relation) {
        const std::string name = pg::qualified(s->relation);
        scope.add_object(name);
        scope.lock(LockMode::access_exclusive, name);
        if (!scope.existing(name)) return true;
      }
      scope.add(Effect::schema_break);
      scope.report("renaming-object", -1,
                   "SET SCHEMA moves the object: clients that name its old schema break");
      return true;
    }
    case T_AlterTableMoveAllStmt:
      scope.add(Effect::blocking);
      scope.report("table-rewrite", -1,
                   "ALTER ... ALL IN TABLESPACE rewrites every table it moves");
      return true;
    case T_AlterEnumStmt: {
      const AlterEnumStmt* s = castNode(AlterEnumStmt, node);
      if (s->oldVal != nullptr) {  // RENAME VALUE
        scope.add(Effect::schema_break);
        scope.report("renaming-object", -1,
                     "renaming an enum value breaks clients and data that use the old label");
      }
      return true;
    }
    case T_AlterDomainStmt: {
      const AlterDomainStmt* s = castNode(AlterDomainStmt, node);
      // subtype: 'C' add constraint, 'X' drop constraint, 'N'/'O' drop/set not null, 'V' validate,
      // 'T' default
      if (s->subtype == 'C' && s->def && IsA(s->def, Constraint) &&
          !castNode(Constraint, s->def)->skip_validation) {
        scope.report(
            "constraint-missing-not-valid", -1,
            "ALTER DOMAIN ... ADD CONSTRAINT checks every column of that domain in every table");
      }
      if (s->subtype == 'X' || s->subtype == 'N') scope.add(Effect::schema_break);
      return true;
    }
    case T_AlterFunctionStmt: {
      const AlterFunctionStmt* s = castNode(AlterFunctionStmt, node);
      if (has_option(s->actions, "security")) {
        scope.add(Effect::privilege);
        scope.report("security-definer-function", -1,
                     "the function now runs with its owner's privileges");
      }
      return true;
    }
    case T_CreateExtensionStmt:
    case T_AlterExtensionStmt:
    case T_AlterExtensionContentsStmt:
      // Extension scripts come from the server's installed packages and may need superuser.
      scope.add(Effect::privilege);
      return true;
    case T_CheckPointStmt:
      scope.add(Effect::maintenance);
      return true;
    // Additive or session-only statements: nothing existing is lost, locked or exposed.
    case T_CreateDomainStmt:
    case T_CompositeTypeStmt:
    case T_CreateEnumStmt:
    case T_CreateRangeStmt:
    case T_DefineStmt:
    case T_CreateCastStmt:
    case T_CreateOpClassStmt:
    case T_CreateOpFamilyStmt:
    case T_AlterOpFamilyStmt:
    case T_CreateConversionStmt:
    case T_CreateFdwStmt:
    case T_CreateForeignServerStmt:
    case T_CreateForeignTableStmt:
    case T_ImportForeignSchemaStmt:
    case T_CreatePLangStmt:
    case T_CreateTransformStmt:
    case T_CreateAmStmt:
    case T_AlterPublicationStmt:
    case T_AlterTSDictionaryStmt:
    case T_AlterTSConfigurationStmt:
    case T_AlterCollationStmt:
    case T_AlterOperatorStmt:
    case T_AlterTypeStmt:
    case T_AlterStatsStmt:
    case T_AlterFdwStmt:
    case T_AlterForeignServerStmt:
    case T_AlterTableSpaceOptionsStmt:
    case T_AlterObjectDependsStmt:
    case T_VariableShowStmt:
    case T_NotifyStmt:
    case T_ListenStmt:
    case T_UnlistenStmt:
    case T_ClosePortalStmt:
    case T_FetchStmt:
    case T_ConstraintsSetStmt:
      return true;
    case T_CreateSubscriptionStmt:
    case T_AlterSubscriptionStmt:
    case T_DropSubscriptionStmt:
      // Subscriptions create and drop replication slots on another server.
      scope.add(Effect::opaque);
      scope.add(Effect::non_transactional);
      scope.report("unclassified-statement", -1, "subscription commands act on a remote server");
      return true;
    default:
      return false;
  }
}

}  // namespace safedb::sql
