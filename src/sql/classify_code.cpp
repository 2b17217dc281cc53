#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "sql/classify.h"

namespace safedb::sql {
namespace {

using nlohmann::json;

std::string option_string(const List* options, std::string_view name) {
  const ListCell* cell;
  foreach (cell, options) {
    const DefElem* d = castNode(DefElem, lfirst(cell));
    if (d->defname && name == d->defname) {
      if (d->arg && IsA(d->arg, String)) return std::string(pg::string_value(d->arg));
      if (d->arg && IsA(d->arg, List)) {  // AS 'body' or AS 'obj_file', 'link_symbol'
        return std::string(
            pg::string_value(static_cast<const Node*>(linitial(castNode(List, d->arg)))));
      }
    }
  }
  return {};
}

const DefElem* option(const List* options, std::string_view name) {
  const ListCell* cell;
  foreach (cell, options) {
    const DefElem* d = castNode(DefElem, lfirst(cell));
    if (d->defname && name == d->defname) return d;
  }
  return nullptr;
}

// Offset, within `text`, of the contents of the string literal that starts at
// or after `from`: past "$tag$" for dollar quotes, past "'" for plain strings.
std::size_t literal_contents(std::string_view text, std::size_t from) {
  std::size_t start = text.find_first_of("$'", std::min(from, text.size()));
  if (start == std::string_view::npos) return std::min(from, text.size());
  if (text[start] == '\'') return start + 1;
  std::size_t close = text.find('$', start + 1);
  return close == std::string_view::npos ? start + 1 : close + 1;
}

// Walks libpg_query's JSON rendering of a PL/pgSQL function and classifies
// every SQL statement and expression in it.
class PlpgsqlWalker {
 public:
  // `body` is the function body text, found at fragment offset `body_offset` of `scope`.
  PlpgsqlWalker(Scope& scope, std::string_view body, std::size_t body_offset)
      : scope_(scope), body_(body), body_offset_(body_offset) {}

  void walk(const json& node) {
    if (node.is_array()) {
      for (const json& item : node)
        walk(item);
      return;
    }
    if (!node.is_object()) return;
    if (auto line = node.find("lineno"); line != node.end() && line->is_number_integer()) {
      line_ = line->get<int>();
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string& key = it.key();
      if (key == "PLpgSQL_expr") {
        expression(it.value());
      } else if (key == "PLpgSQL_stmt_dynexecute" || key == "PLpgSQL_stmt_dynfors") {
        dynamic(it.value(), "query");
      } else if (key == "PLpgSQL_stmt_return_query" || key == "PLpgSQL_stmt_open") {
        dynamic(it.value(), "dynquery");
      } else {
        walk(it.value());
      }
    }
  }

  // Source offset of `query`, searched for from the start of the current line.
  // PL/pgSQL rewrites "PERFORM expr" as "SELECT expr": then the offset is
  // where "SELECT " would start, so that node locations still land right.
  std::size_t locate(const std::string& query) {
    std::size_t line_start = 0;
    for (int l = 1; l < line_ && line_start != std::string_view::npos; ++l) {
      line_start = body_.find('\n', line_start);
      if (line_start != std::string_view::npos) ++line_start;
    }
    if (line_start == std::string_view::npos) line_start = 0;
    std::size_t at = scope_.base() + body_offset_;
    std::size_t found = body_.find(query, line_start);
    if (found != std::string_view::npos) return at + found;
    constexpr std::string_view kSelect = "SELECT ";
    if (query.starts_with(kSelect)) {
      found = body_.find(std::string_view(query).substr(kSelect.size()), line_start);
      if (found != std::string_view::npos && at + found >= kSelect.size())
        return at + found - kSelect.size();
    }
    return at + line_start;
  }

  void expression(const json& expr) {
    auto query = expr.find("query");
    if (query == expr.end() || !query->is_string()) return;
    const std::string text = query->get<std::string>();
    const int mode = expr.value("parseMode", 0);
    classify_fragment(text, locate(text), mode, scope_);
  }

  // EXECUTE of a string literal is analysed like any SQL; of anything else, opaque.
  void dynamic(const json& stmt, const char* key) {
    for (auto it = stmt.begin(); it != stmt.end(); ++it) {
      if (it.key() != key) walk(it.value());
    }
    auto query = stmt.find(key);
    if (query == stmt.end()) return;
    auto expr = query->find("PLpgSQL_expr");
    if (expr == query->end()) return;
    const std::string text = expr->value("query", "");
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
  int depth_ = 0;
  bool too_deep_ = false;
};

// Classifies PL/pgSQL code of the current statement (a DO or CREATE FUNCTION).
void classify_plpgsql(std::string_view body, std::size_t body_offset, Scope& scope) {
  pg::PlpgsqlParsed parsed = pg::parse_plpgsql(std::string(scope.statement()));
  if (parsed.error) {
    scope.add(Effect::opaque);
    scope.report("unanalysable-code", static_cast<int>(body_offset),
                 fmt::format("PL/pgSQL body does not compile ({}); its effects are unknown",
                             parsed.error->message));
    return;
  }
  json functions = json::parse(parsed.json, nullptr, false);
  if (functions.is_discarded() || !functions.is_array() || functions.empty()) {
    scope.add(Effect::opaque);
    scope.report("unanalysable-code", static_cast<int>(body_offset),
                 "PL/pgSQL body could not be read");
    return;
  }
  // Positions reported by the walker are absolute; it needs the body's fragment offset.
  Scope inner = scope.fragment(scope.text(), scope.base());
  PlpgsqlWalker walker(inner, body, body_offset);
  walker.walk(functions);
}

// Fragment offset of the body string that follows the DefElem at `location`.
std::size_t body_offset(const Scope& scope, int location) {
  return literal_contents(scope.text(), location < 0 ? 0 : static_cast<std::size_t>(location));
}

}  // namespace

void classify_do(const DoStmt* stmt, Scope& scope) {
  std::string language = option_string(stmt->args, "language");
  const DefElem* as = option(stmt->args, "as");
  if (as == nullptr) return;
  if (!language.empty() && language != "plpgsql") {
    scope.add(Effect::opaque);
    scope.report("unanalysable-code", -1,
                 fmt::format("DO block in language {}: safedb analyses only PL/pgSQL", language));
    return;
  }
  const std::string body(pg::string_value(as->arg));
  classify_plpgsql(body, body_offset(scope, as->location), scope);
}

void classify_create_function(const CreateFunctionStmt* stmt, Scope& scope) {
  const std::string name = pg::function_name(stmt->funcname);
  std::string language = option_string(stmt->options, "language");
  for (char& c : language)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const DefElem* security = option(stmt->options, "security");
  if (security && security->arg && IsA(security->arg, Boolean) && boolVal(security->arg)) {
    scope.add(Effect::privilege);
    const bool pins_search_path = [&] {
      const ListCell* cell;
      foreach (cell, stmt->options) {
        const DefElem* d = castNode(DefElem, lfirst(cell));
        if (d->defname && std::string_view(d->defname) == "set" && d->arg &&
            IsA(d->arg, VariableSetStmt)) {
          const VariableSetStmt* set = castNode(VariableSetStmt, d->arg);
          if (set->name && std::string_view(set->name) == "search_path") return true;
        }
      }
      return false;
    }();
    scope.report(
        "security-definer-function", -1,
        pins_search_path
            ? fmt::format("{} runs with its owner's privileges", name)
            : fmt::format("{} runs with its owner's privileges and does not pin search_path: "
                          "callers can hijack the objects it uses",
                          name));
  }

  // The body runs when the function is called: classify it into the
  // function's own sink, reported where it is called in this file.
  Sink body_sink;
  Scope body = scope.redirected(body_sink);
  const DefElem* as = option(stmt->options, "as");
  if (language == "plpgsql" && as != nullptr) {
    const std::string text = option_string(stmt->options, "as");
    classify_plpgsql(text, body_offset(scope, as->location), body);
  } else if (language == "sql" || stmt->sql_body != nullptr) {
    if (stmt->sql_body != nullptr) {
      // BEGIN ATOMIC ... END or RETURN expr: already parsed with the statement.
      const Node* sql_body = stmt->sql_body;
      if (IsA(sql_body, List)) {
        const ListCell* cell;
        foreach (cell, castNode(List, sql_body)) {
          const Node* item = static_cast<const Node*>(lfirst(cell));
          if (item && IsA(item, List)) {
            const ListCell* inner;
            foreach (inner, castNode(List, item))
              classify_statement(static_cast<const Node*>(lfirst(inner)), body);
          } else {
            classify_statement(item, body);
          }
        }
      } else {
        classify_statement(sql_body, body);
      }
    } else if (as != nullptr) {
      const std::string text = option_string(stmt->options, "as");
      classify_fragment(text, scope.base() + body_offset(scope, as->location),
                        PG_QUERY_PARSE_DEFAULT, body);
    }
  } else {
    // C, internal or another procedural language: what it does is unknown.
    body_sink.effects.add(Effect::opaque);
  }
  scope.file().functions[name] = body_sink;
}

void classify_function_call(const FuncCall* call, Scope& scope) {
  const std::string name = pg::function_name(call->funcname);
  const std::string schema = pg::function_schema(call->funcname);
  const int at = call->location;
  auto own = scope.file().functions.find(name);
  if (own != scope.file().functions.end()) {
    scope.add(own->second.effects);
    for (const std::string& o : own->second.objects)
      scope.add_object(o);
    scope.take_locks(own->second);
    return;
  }
  const bool builtin_schema = schema.empty() || schema == "pg_catalog";
  const Volatility volatility = builtin_schema ? builtin_volatility(name) : Volatility::unknown;
  if (volatility == Volatility::immutable || volatility == Volatility::stable) return;
  auto first_arg = [&]() -> std::optional<std::string> {
    return call->args ? string_constant(static_cast<const Node*>(linitial(call->args)))
                      : std::nullopt;
  };
  if (volatility == Volatility::volatile_) {
    if (name == "nextval" || name == "setval") {
      // regclass literal: 'seq', 'schema.seq' or '"Quoted"'.
      if (std::optional<std::string> seq = first_arg()) {
        std::string relation = seq->find('.') == std::string::npos ? "public." + *seq : *seq;
        relation.erase(std::remove(relation.begin(), relation.end(), '"'), relation.end());
        scope.lock(LockMode::row_exclusive, relation);
      }
    }
    if (name == "setval") {
      scope.add(Effect::data_loss);
      scope.report("sequence-restart", at,
                   "setval() moves a sequence: values already handed out may repeat");
      return;
    }
    if (name == "lo_unlink") {
      scope.add(Effect::data_loss);
      scope.report("large-object-unlink", at, "lo_unlink() deletes a large object irreversibly");
      return;
    }
    if (name == "set_config") {
      std::optional<std::string> setting = first_arg();
      if (setting == "session_replication_role") {
        scope.add(Effect::privilege);
        scope.report("disable-trigger", at,
                     "set_config('session_replication_role', ...) can disable triggers");
      } else if (setting == "lock_timeout") {
        scope.file().lock_timeout_set = true;
      } else if (setting == "statement_timeout") {
        scope.file().statement_timeout_set = true;
      } else if (setting == "role" || setting == "session_authorization") {
        scope.add(Effect::privilege);
        scope.report("privilege-change", at, "set_config() changes the role statements run as");
      } else if (!setting) {
        scope.add(Effect::opaque);
        scope.report("side-effect-function", at, "set_config() of a computed setting name");
      }
      return;
    }
    if (harmless_volatile(name)) return;
    scope.add(Effect::opaque);
    scope.report(
        "side-effect-function", at,
        fmt::format("{}() is a built-in function with side effects outside the data", name));
    return;
  }
  scope.add(Effect::opaque);
  scope.report("opaque-function-call", at,
               fmt::format("{}{}() is not a built-in function: what it does cannot be known here",
                           schema.empty() ? "" : schema + ".", name));
}

}  // namespace safedb::sql
