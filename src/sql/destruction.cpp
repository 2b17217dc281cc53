// What a data-loss statement destroys (analysis.h, Destruction): the input
// of pre-change snapshots. Anything not understood here is unsnapshottable,
// so that a policy asking for a snapshot blocks the run instead of trusting
// a snapshot that misses data.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "safedb/util/sql_quote.h"
#include "safedb/util/text.h"
#include "sql/classify.h"

namespace safedb::sql {
namespace {

std::string relation_sql(const RangeVar* rv) {
  std::string out;
  if (rv->schemaname != nullptr) out = util::quote_identifier(rv->schemaname) + ".";
  return out + util::quote_identifier(rv->relname != nullptr ? rv->relname : "");
}

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The offset just past keyword `word` that ends, ignoring white space and
// opening parentheses, right before `at`; npos when the text there is not
// that keyword.
std::size_t keyword_before(std::string_view text, std::size_t at, std::string_view word,
                           bool skip_parens) {
  std::size_t i = at;
  while (i > 0 && (std::isspace(static_cast<unsigned char>(text[i - 1])) ||
                   (skip_parens && text[i - 1] == '(')))
    --i;
  if (i < word.size()) return std::string_view::npos;
  const std::size_t start = i - word.size();
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(text[start + k])) != word[k])
      return std::string_view::npos;
  }
  if (start > 0 && ident_char(text[start - 1])) return std::string_view::npos;
  return i;
}

// Why `where` does not select exactly the rows the statement touches when
// evaluated again just before it; "" when it does.
struct PredicateCheck {
  std::string problem;
};

bool predicate_walker(Node* node, void* context) {
  if (node == nullptr) return false;
  auto& check = *static_cast<PredicateCheck*>(context);
  switch (nodeTag(node)) {
    case T_SubLink:
      check.problem = "the WHERE clause has a sub-query";
      return true;
    case T_CurrentOfExpr:
      check.problem = "WHERE CURRENT OF a cursor";
      return true;
    case T_ParamRef:
      check.problem = "the WHERE clause uses parameters";
      return true;
    default:
      break;
  }
  return raw_expression_tree_walker(node, predicate_walker, context);
}

// Fills `d` (Kind::rows) for a DELETE or UPDATE of `rv` with `where`.
void rows_of(const RangeVar* rv, const Node* where, bool joins, bool with, const List* returning,
             std::string_view text, std::size_t end, Destruction& d) {
  d.kind = Destruction::Kind::rows;
  d.relation = relation_sql(rv);
  d.only = !rv->inh;
  if (rv->alias != nullptr && rv->alias->aliasname != nullptr)
    d.alias = util::quote_identifier(rv->alias->aliasname);
  if (where == nullptr) {
    d.whole_because = "no WHERE clause";
    return;
  }
  if (joins) {
    d.whole_because = "the statement joins other tables";
    return;
  }
  if (with) {
    d.whole_because = "the statement has a WITH clause";
    return;
  }
  PredicateCheck check;
  predicate_walker(const_cast<Node*>(where), &check);
  if (check.problem.empty() && may_be_volatile(where))
    check.problem = "the WHERE clause calls a volatile or unknown function";
  if (!check.problem.empty()) {
    d.whole_because = check.problem;
    return;
  }
  const int location = exprLocation(where);
  std::size_t start = location < 0
                          ? std::string_view::npos
                          : keyword_before(text, static_cast<std::size_t>(location), "where", true);
  std::size_t stop = end;
  if (returning != NIL) {
    const int r = exprLocation(static_cast<Node*>(linitial(returning)));
    stop = r < 0 ? std::string_view::npos
                 : keyword_before(text, static_cast<std::size_t>(r), "returning", false);
    if (stop != std::string_view::npos) stop -= std::string_view("returning").size();
  }
  if (start == std::string_view::npos || stop == std::string_view::npos || stop <= start) {
    d.whole_because = "the WHERE clause could not be isolated";
    return;
  }
  std::string predicate(util::trim(text.substr(start, stop - start)));
  // The snapshot runs this very text: make sure it is one clean predicate.
  const std::string probe = fmt::format("SELECT 1 FROM {}{} {} WHERE {}\n", d.only ? "ONLY " : "",
                                        d.relation, d.alias, predicate);
  pg::Parsed parsed = pg::raw_parse(probe);
  if (parsed.error || list_length(parsed.statements) != 1) {
    d.whole_because = "the WHERE clause could not be isolated";
    return;
  }
  d.where = std::move(predicate);
  d.where_in_any_session = same_in_any_session(where);
}

bool data_modifying_with(const WithClause* with) {
  if (with == nullptr) return false;
  const ListCell* cell;
  foreach (cell, with->ctes) {
    const Node* query = castNode(CommonTableExpr, lfirst(cell))->ctequery;
    if (query != nullptr && !IsA(query, SelectStmt)) return true;
  }
  return false;
}

void alter_table(const AlterTableStmt* stmt, Statement& st) {
  const ListCell* cell;
  foreach (cell, stmt->cmds) {
    const AlterTableCmd* cmd = castNode(AlterTableCmd, lfirst(cell));
    if (cmd->subtype == AT_DropColumn || cmd->subtype == AT_AlterColumnType) {
      Destruction d;
      d.kind = Destruction::Kind::column;
      d.relation = relation_sql(stmt->relation);
      d.only = !stmt->relation->inh;
      d.column = cmd->name != nullptr ? cmd->name : "";
      d.retype = cmd->subtype == AT_AlterColumnType;
      d.cascade = cmd->behavior == DROP_CASCADE;
      st.destroys.push_back(std::move(d));
    } else if (cmd->subtype == AT_SetIdentity &&
               pg::names_option(castNode(List, cmd->def), "restart")) {
      // The identity's sequence, which the snapshot finds from the column.
      Destruction d;
      d.kind = Destruction::Kind::sequence_value;
      d.relation = relation_sql(stmt->relation);
      d.column = cmd->name != nullptr ? cmd->name : "";
      st.destroys.push_back(std::move(d));
    } else if (cmd->subtype == AT_DropConstraint && cmd->behavior == DROP_CASCADE) {
      st.unsnapshottable = "DROP CONSTRAINT ... CASCADE drops dependent foreign keys";
    }
  }
}

// SQL of a name list, each part quoted: "app"."mood".
std::string quoted_names(const List* names) {
  std::string sql;
  const ListCell* part;
  foreach (part, names) {
    if (!sql.empty()) sql += '.';
    sql += util::quote_identifier(pg::string_value(static_cast<const Node*>(lfirst(part))));
  }
  return sql;
}

// The signature of a function that a DROP FUNCTION names, as
// to_regprocedure() reads it (input argument types only, as the DROP
// identifies the function by them), or its name alone when the DROP gives no
// argument list (to_regproc()); "" for a %TYPE argument, which safedb does
// not resolve.
std::string signature(const ObjectWithArgs* f) {
  const std::string name = quoted_names(f->objname);
  if (f->args_unspecified) return name;
  std::string args;
  const ListCell* cell;
  foreach (cell, f->objargs) {
    const TypeName* type = castNode(TypeName, lfirst(cell));
    if (type->pct_type) return "";
    args += (args.empty() ? "" : ", ") + quoted_names(type->names);
    for (int i = 0; i < list_length(type->arrayBounds); ++i)
      args += "[]";
  }
  return name + "(" + args + ")";
}

void drop(const DropStmt* stmt, Statement& st) {
  const ObjectType type = stmt->removeType;
  if (type != OBJECT_TABLE && type != OBJECT_MATVIEW && type != OBJECT_SCHEMA &&
      type != OBJECT_TYPE && type != OBJECT_DOMAIN && type != OBJECT_EXTENSION &&
      type != OBJECT_VIEW && type != OBJECT_SEQUENCE && type != OBJECT_FUNCTION &&
      type != OBJECT_PROCEDURE && type != OBJECT_ROUTINE && type != OBJECT_AGGREGATE) {
    st.unsnapshottable = "snapshots do not save what this kind of DROP removes";
    return;
  }
  const ListCell* cell;
  foreach (cell, stmt->objects) {
    Destruction d;
    d.cascade = stmt->behavior == DROP_CASCADE;
    const Node* object = static_cast<const Node*>(lfirst(cell));
    if ((type == OBJECT_TYPE || type == OBJECT_DOMAIN) && !IsA(object, TypeName)) {
      st.unsnapshottable = "this DROP names its type in a form safedb does not read";
      st.destroys.clear();
      return;
    }
    // A procedure, a routine (either) or an aggregate is found and saved as a
    // function is.
    if (type == OBJECT_FUNCTION || type == OBJECT_PROCEDURE || type == OBJECT_ROUTINE ||
        type == OBJECT_AGGREGATE) {
      d.kind = Destruction::Kind::function;
      d.routine = type == OBJECT_PROCEDURE || type == OBJECT_ROUTINE;
      d.relation = IsA(object, ObjectWithArgs) ? signature(castNode(ObjectWithArgs, object)) : "";
      if (d.relation.empty()) {
        st.unsnapshottable =
            "this DROP FUNCTION names an argument type in a form safedb does not "
            "resolve (%TYPE)";
        st.destroys.clear();
        return;
      }
    } else if (type == OBJECT_TYPE || type == OBJECT_DOMAIN) {
      d.kind = Destruction::Kind::type;
      d.relation = quoted_names(castNode(TypeName, object)->names);
    } else if (type == OBJECT_EXTENSION) {
      d.kind = Destruction::Kind::extension;
      d.relation = util::quote_identifier(pg::string_value(object));
    } else if (type == OBJECT_SCHEMA) {
      d.kind = Destruction::Kind::schema;
      d.relation = util::quote_identifier(pg::string_value(static_cast<const Node*>(lfirst(cell))));
    } else {
      // A materialized view's rows are those its query gives: a restore
      // creates it again and refreshes it (snapshot/views.h).
      d.kind = type == OBJECT_VIEW || type == OBJECT_MATVIEW ? Destruction::Kind::view
               : type == OBJECT_SEQUENCE                     ? Destruction::Kind::sequence
                                                             : Destruction::Kind::table;
      d.relation = quoted_names(castNode(List, object));
    }
    st.destroys.push_back(std::move(d));
  }
}

// The sequences a SELECT moves with setval(), collected from every call in
// it; `problem` says why they are not all known, or what else it may destroy.
struct SetvalCalls {
  std::vector<Destruction> sequences;
  std::string problem;
};

// The sequence a setval() call names: a literal ('app.seq', 'seq'::regclass,
// as the call reads it), or a column's (pg_get_serial_sequence('t', 'c')).
std::optional<Destruction> setval_sequence(const FuncCall* call) {
  if (list_length(call->args) < 2) return std::nullopt;
  const Node* first = static_cast<const Node*>(linitial(call->args));
  Destruction d;
  d.kind = Destruction::Kind::sequence_value;
  if (std::optional<std::string> name = string_constant(first)) {
    d.relation = *name;
    return d;
  }
  if (!IsA(first, FuncCall)) return std::nullopt;
  const FuncCall* inner = castNode(FuncCall, first);
  const std::string schema = pg::function_schema(inner->funcname);
  if (pg::function_name(inner->funcname) != "pg_get_serial_sequence" ||
      !(schema.empty() || schema == "pg_catalog") || list_length(inner->args) != 2)
    return std::nullopt;
  std::optional<std::string> table = string_constant(static_cast<Node*>(linitial(inner->args)));
  std::optional<std::string> column = string_constant(static_cast<Node*>(lsecond(inner->args)));
  if (!table || !column) return std::nullopt;
  d.relation = *table;
  d.column = *column;
  return d;
}

bool setval_walker(Node* node, void* context) {
  if (node == nullptr) return false;
  auto& calls = *static_cast<SetvalCalls*>(context);
  if (IsA(node, FuncCall)) {
    const FuncCall* call = castNode(FuncCall, node);
    const std::string name = pg::function_name(call->funcname);
    const std::string schema = pg::function_schema(call->funcname);
    const bool builtin = schema.empty() || schema == "pg_catalog";
    if (builtin && name == "setval") {
      std::optional<Destruction> d = setval_sequence(call);
      if (!d) {
        calls.problem = "setval() names its sequence by an expression safedb does not resolve";
        return true;
      }
      calls.sequences.push_back(std::move(*d));
    } else if (!builtin || (builtin_volatility(name) == Volatility::volatile_
                                ? !harmless_volatile(name)
                                : builtin_volatility(name) == Volatility::unknown)) {
      // A function of the file or the database, or lo_unlink(): what it
      // destroys is not a sequence's position.
      calls.problem = fmt::format("{}() may destroy what a snapshot does not save", name);
      return true;
    }
  }
  return raw_expression_tree_walker(node, setval_walker, context);
}

// A SELECT whose data loss is setval(): where each sequence it moves stood.
void moved_sequences(const SelectStmt* stmt, Statement& st) {
  if (st.effects.has(Effect::opaque)) {
    st.unsnapshottable = "what an opaque statement destroys cannot be known before it runs";
    return;
  }
  SetvalCalls calls;
  setval_walker(const_cast<Node*>(reinterpret_cast<const Node*>(stmt)), &calls);
  if (!calls.problem.empty() || calls.sequences.empty()) {
    st.unsnapshottable = calls.problem.empty() ? "SelectStmt is not snapshotted" : calls.problem;
    return;
  }
  for (Destruction& d : calls.sequences) {
    const bool seen = std::any_of(st.destroys.begin(), st.destroys.end(), [&](const auto& o) {
      return o.relation == d.relation && o.column == d.column;
    });
    if (!seen) st.destroys.push_back(std::move(d));
  }
}

}  // namespace

void describe_destruction(const Node* node, std::string_view text, Statement& st) {
  const std::size_t end = st.offset + st.length;
  st.destroys.clear();
  st.unsnapshottable.clear();
  switch (nodeTag(node)) {
    case T_DeleteStmt: {
      const DeleteStmt* s = castNode(DeleteStmt, node);
      if (data_modifying_with(s->withClause)) break;
      Destruction d;
      rows_of(s->relation, s->whereClause, s->usingClause != NIL, s->withClause != nullptr,
              s->returningList, text, end, d);
      st.destroys.push_back(std::move(d));
      return;
    }
    case T_UpdateStmt: {
      const UpdateStmt* s = castNode(UpdateStmt, node);
      if (data_modifying_with(s->withClause)) break;
      Destruction d;
      rows_of(s->relation, s->whereClause, s->fromClause != NIL, s->withClause != nullptr,
              s->returningList, text, end, d);
      const ListCell* cell;
      foreach (cell, s->targetList) {
        const ResTarget* target = castNode(ResTarget, lfirst(cell));
        if (target->name != nullptr) d.updated_columns.emplace_back(target->name);
      }
      st.destroys.push_back(std::move(d));
      return;
    }
    case T_MergeStmt:
    case T_InsertStmt: {
      const bool merge = IsA(node, MergeStmt);
      const RangeVar* rv =
          merge ? castNode(MergeStmt, node)->relation : castNode(InsertStmt, node)->relation;
      const WithClause* with =
          merge ? castNode(MergeStmt, node)->withClause : castNode(InsertStmt, node)->withClause;
      if (data_modifying_with(with)) break;
      Destruction d;
      d.relation = relation_sql(rv);
      d.only = !rv->inh;
      d.whole_because = merge ? "MERGE" : "INSERT ... ON CONFLICT DO UPDATE";
      st.destroys.push_back(std::move(d));
      return;
    }
    case T_TruncateStmt: {
      const TruncateStmt* s = castNode(TruncateStmt, node);
      const ListCell* cell;
      foreach (cell, s->relations) {
        const RangeVar* rv = castNode(RangeVar, lfirst(cell));
        Destruction d;
        d.kind = Destruction::Kind::table;
        d.relation = relation_sql(rv);
        d.only = !rv->inh;
        d.cascade = s->behavior == DROP_CASCADE;
        st.destroys.push_back(std::move(d));
      }
      return;
    }
    case T_DropStmt:
      drop(castNode(DropStmt, node), st);
      if (!st.unsnapshottable.empty()) st.destroys.clear();
      return;
    case T_AlterTableStmt:
      alter_table(castNode(AlterTableStmt, node), st);
      if (!st.unsnapshottable.empty()) st.destroys.clear();
      if (st.destroys.empty() && st.unsnapshottable.empty())
        st.unsnapshottable = "this ALTER TABLE form is not snapshotted";
      return;
    case T_DoStmt:
      st.unsnapshottable = "what code in a DO block destroys is not snapshotted";
      return;
    case T_SelectStmt: {
      const SelectStmt* s = castNode(SelectStmt, node);
      if (data_modifying_with(s->withClause)) break;
      moved_sequences(s, st);
      return;
    }
    case T_AlterSeqStmt: {
      const AlterSeqStmt* s = castNode(AlterSeqStmt, node);
      if (pg::names_option(s->options, "restart")) {
        Destruction d;
        d.kind = Destruction::Kind::sequence_value;
        d.relation = relation_sql(s->sequence);
        st.destroys.push_back(std::move(d));
      }
      return;
    }
    default:
      st.unsnapshottable = fmt::format("{} is not snapshotted", st.kind);
      return;
  }
  st.unsnapshottable = "a data-modifying WITH query";
}

}  // namespace safedb::sql
