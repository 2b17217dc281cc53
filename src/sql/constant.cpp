#include <cstdlib>
#include <optional>
#include <string>

#include "sql/classify.h"

namespace safedb::sql {
namespace {

// A constant operand: a number or a string (booleans become numbers 0/1).
struct Value {
  bool is_number = false;
  double number = 0;
  std::string text;
};

std::optional<Value> constant_value(const Node* node) {
  while (node != nullptr && IsA(node, TypeCast))
    node = castNode(TypeCast, node)->arg;
  if (node == nullptr) return std::nullopt;
  if (!IsA(node, A_Const)) return std::nullopt;
  const A_Const* c = castNode(A_Const, node);
  if (c->isnull) return std::nullopt;
  Value v;
  switch (nodeTag(&c->val.node)) {
    case T_Integer:
      v.is_number = true;
      v.number = c->val.ival.ival;
      return v;
    case T_Float:
      v.is_number = true;
      v.number = std::strtod(c->val.fval.fval, nullptr);
      return v;
    case T_Boolean:
      v.is_number = true;
      v.number = c->val.boolval.boolval ? 1 : 0;
      return v;
    case T_String:
      v.text = c->val.sval.sval ? c->val.sval.sval : "";
      return v;
    default:
      return std::nullopt;
  }
}

Truth from_bool(bool b) {
  return b ? Truth::yes : Truth::no;
}

// Literal spellings PostgreSQL accepts for booleans ('t', 'yes', 'on', ...).
Truth boolean_text(std::string s) {
  for (char& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (s == "t" || s == "true" || s == "y" || s == "yes" || s == "on" || s == "1") return Truth::yes;
  if (s == "f" || s == "false" || s == "n" || s == "no" || s == "off" || s == "0") return Truth::no;
  return Truth::unknown;
}

bool same_column(const Node* a, const Node* b) {
  if (a == nullptr || b == nullptr || !IsA(a, ColumnRef) || !IsA(b, ColumnRef)) return false;
  return pg::dotted(castNode(ColumnRef, a)->fields) == pg::dotted(castNode(ColumnRef, b)->fields);
}

Truth compare(const A_Expr* e) {
  std::string op = pg::dotted(e->name);
  // "x = x" holds for every row where x is not null: as good as unbounded.
  if ((op == "=" || op == "<=" || op == ">=") && same_column(e->lexpr, e->rexpr)) return Truth::yes;
  auto l = constant_value(e->lexpr);
  auto r = constant_value(e->rexpr);
  if (!l || !r) return Truth::unknown;
  int order = 0;
  if (l->is_number && r->is_number) {
    order = l->number < r->number ? -1 : (l->number > r->number ? 1 : 0);
  } else if (!l->is_number && !r->is_number) {
    order = l->text < r->text ? -1 : (l->text > r->text ? 1 : 0);
  } else {
    // '1' = 1: PostgreSQL coerces the literal to the other side's type.
    const Value& num = l->is_number ? *l : *r;
    const Value& str = l->is_number ? *r : *l;
    char* end = nullptr;
    double parsed = std::strtod(str.text.c_str(), &end);
    if (end == str.text.c_str() || *end != '\0') return Truth::unknown;
    double lv = l->is_number ? num.number : parsed;
    double rv = l->is_number ? parsed : num.number;
    order = lv < rv ? -1 : (lv > rv ? 1 : 0);
  }
  if (op == "=") return from_bool(order == 0);
  if (op == "<>" || op == "!=") return from_bool(order != 0);
  if (op == "<") return from_bool(order < 0);
  if (op == ">") return from_bool(order > 0);
  if (op == "<=") return from_bool(order <= 0);
  if (op == ">=") return from_bool(order >= 0);
  return Truth::unknown;
}

}  // namespace

Truth evaluate_condition(const Node* node) {
  return evaluate_condition(node, 0);
}

Truth evaluate_condition(const Node* node, int depth) {
  // Deeper than any hand-written condition: not a constant this evaluator can prove.
  if (node == nullptr || depth > kMaxNestingDepth) return Truth::unknown;
  switch (nodeTag(node)) {
    case T_A_Const: {
      const A_Const* c = castNode(A_Const, node);
      if (c->isnull) return Truth::no;
      if (IsA(&c->val.node, Boolean)) return from_bool(c->val.boolval.boolval);
      if (IsA(&c->val.node, String)) return boolean_text(c->val.sval.sval ? c->val.sval.sval : "");
      return Truth::unknown;
    }
    case T_TypeCast: {
      const TypeCast* cast = castNode(TypeCast, node);
      std::string type = pg::function_name(cast->typeName->names);
      if (type != "bool" && type != "boolean") return Truth::unknown;
      auto v = constant_value(cast->arg);
      if (!v) return Truth::unknown;
      return v->is_number ? from_bool(v->number != 0) : boolean_text(v->text);
    }
    case T_BoolExpr: {
      const BoolExpr* b = castNode(BoolExpr, node);
      if (b->boolop == NOT_EXPR) {
        Truth t = evaluate_condition(static_cast<const Node*>(linitial(b->args)), depth + 1);
        return t == Truth::unknown ? t : from_bool(t == Truth::no);
      }
      const bool is_and = b->boolop == AND_EXPR;
      bool all_decided = true;
      const ListCell* cell;
      foreach (cell, b->args) {
        Truth t = evaluate_condition(static_cast<const Node*>(lfirst(cell)), depth + 1);
        if (is_and && t == Truth::no) return Truth::no;
        if (!is_and && t == Truth::yes) return Truth::yes;
        if (t == Truth::unknown) all_decided = false;
      }
      if (!all_decided) return Truth::unknown;
      return is_and ? Truth::yes : Truth::no;
    }
    case T_A_Expr: {
      const A_Expr* e = castNode(A_Expr, node);
      if (e->kind == AEXPR_OP) return compare(e);
      return Truth::unknown;
    }
    case T_NullTest: {
      const NullTest* t = castNode(NullTest, node);
      if (IsA(t->arg, A_Const)) {
        bool is_null = castNode(A_Const, t->arg)->isnull;
        return from_bool(t->nulltesttype == IS_NULL ? is_null : !is_null);
      }
      return Truth::unknown;
    }
    case T_BooleanTest: {
      const BooleanTest* t = castNode(BooleanTest, node);
      Truth inner = evaluate_condition(reinterpret_cast<const Node*>(t->arg), depth + 1);
      if (inner == Truth::unknown) return inner;
      switch (t->booltesttype) {
        case IS_TRUE:
          return from_bool(inner == Truth::yes);
        case IS_NOT_TRUE:
          return from_bool(inner != Truth::yes);
        case IS_FALSE:
          return from_bool(inner == Truth::no);
        case IS_NOT_FALSE:
          return from_bool(inner != Truth::no);
        default:
          return Truth::unknown;
      }
    }
    default:
      return Truth::unknown;
  }
}

std::optional<std::string> string_constant(const Node* node) {
  while (node != nullptr && IsA(node, TypeCast))
    node = castNode(TypeCast, node)->arg;
  if (node == nullptr) return std::nullopt;
  if (!IsA(node, A_Const)) return std::nullopt;
  const A_Const* c = castNode(A_Const, node);
  if (c->isnull || !IsA(&c->val.node, String)) return std::nullopt;
  return std::string(c->val.sval.sval ? c->val.sval.sval : "");
}

}  // namespace safedb::sql
