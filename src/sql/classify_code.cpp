#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "sql/classify.h"

namespace safedb::sql {
namespace {

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

// Fragment offset of the body string that follows the DefElem at `location`.
std::size_t body_offset(const Scope& scope, int location) {
  return literal_contents(scope.text(), location < 0 ? 0 : static_cast<std::size_t>(location));
}

}  // namespace

std::size_t literal_contents(std::string_view text, std::size_t from) {
  std::size_t start = text.find_first_of("$'", std::min(from, text.size()));
  if (start == std::string_view::npos) return std::min(from, text.size());
  if (text[start] == '\'') return start + 1;
  std::size_t close = text.find('$', start + 1);
  return close == std::string_view::npos ? start + 1 : close + 1;
}

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
  classify_plpgsql(reinterpret_cast<const Node*>(stmt), body, body_offset(scope, as->location),
                   scope);
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
    classify_plpgsql(reinterpret_cast<const Node*>(stmt), text, body_offset(scope, as->location),
                     body);
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
