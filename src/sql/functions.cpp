#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "sql/classify.h"

namespace safedb::sql {
namespace {

struct Builtin {
  std::string_view name;
  char volatility;  // 'i', 's' or 'v'
};

// Sorted by name (the generator orders by proname, which sorts as bytes in C collation).
constexpr Builtin kBuiltins[] = {
#define SAFEDB_BUILTIN(name, volatility) {name, volatility},
#include "sql/builtin_functions.inc"
#undef SAFEDB_BUILTIN
};

// Volatile built-ins whose side effects stay outside the data and schema: a
// migration may call them freely. Every other volatile built-in is opaque.
constexpr std::string_view kHarmlessVolatile[] = {
    "clock_timestamp",
    "current_query",
    "currval",
    "gen_random_uuid",
    "lastval",
    "nextval",
    "pg_advisory_lock",
    "pg_advisory_lock_shared",
    "pg_advisory_unlock",
    "pg_advisory_unlock_all",
    "pg_advisory_unlock_shared",
    "pg_advisory_xact_lock",
    "pg_advisory_xact_lock_shared",
    "pg_blocking_pids",
    "pg_collation_actual_version",
    "pg_control_checkpoint",
    "pg_control_init",
    "pg_control_recovery",
    "pg_control_system",
    "pg_current_logfile",
    "pg_current_wal_flush_lsn",
    "pg_current_wal_insert_lsn",
    "pg_current_wal_lsn",
    "pg_database_collation_actual_version",
    "pg_database_size",
    "pg_get_wal_replay_pause_state",
    "pg_indexes_size",
    "pg_is_in_recovery",
    "pg_is_wal_replay_paused",
    "pg_jit_available",
    "pg_last_committed_xact",
    "pg_last_wal_receive_lsn",
    "pg_last_wal_replay_lsn",
    "pg_last_xact_replay_timestamp",
    "pg_lock_status",
    "pg_notification_queue_usage",
    "pg_partition_ancestors",
    "pg_partition_tree",
    "pg_relation_size",
    "pg_safe_snapshot_blocking_pids",
    "pg_sequence_last_value",
    "pg_sleep",
    "pg_sleep_for",
    "pg_sleep_until",
    "pg_stat_clear_snapshot",
    "pg_stat_have_stats",
    "pg_table_size",
    "pg_tablespace_size",
    "pg_total_relation_size",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared",
    "pg_xact_commit_timestamp",
    "pg_xact_commit_timestamp_origin",
    "pg_xact_status",
    "random",
    "random_normal",
    "setseed",
    "timeofday",
    "txid_status",
};

bool any_volatile_call(Node* node, void* context) {
  if (node == nullptr) return false;
  int& depth = *static_cast<int*>(context);
  if (depth >= kMaxNestingDepth) return true;  // too deep to inspect: assume volatile
  if (IsA(node, FuncCall)) {
    const FuncCall* call = castNode(FuncCall, node);
    const std::string schema = pg::function_schema(call->funcname);
    Volatility v = (schema.empty() || schema == "pg_catalog")
                       ? builtin_volatility(pg::function_name(call->funcname))
                       : Volatility::unknown;
    if (v == Volatility::volatile_ || v == Volatility::unknown) return true;
  }
  if (IsA(node, SubLink)) return true;  // a sub-query default cannot be known constant
  ++depth;
  const bool found = raw_expression_tree_walker(node, any_volatile_call, context);
  --depth;
  return found;
}

// Date and time input words that PostgreSQL reads as the transaction's start
// ('now') or its day ('today', ...), inside any literal cast to a date or time.
bool names_current_time(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i])))
      ++i;
    std::string word;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
    if (word == "now" || word == "today" || word == "tomorrow" || word == "yesterday") return true;
  }
  return false;
}

bool tied_to_transaction(Node* node, void* context) {
  if (node == nullptr) return false;
  int& depth = *static_cast<int*>(context);
  if (depth >= kMaxNestingDepth) return true;
  switch (nodeTag(node)) {
    case T_FuncCall: {
      const FuncCall* call = castNode(FuncCall, node);
      const std::string schema = pg::function_schema(call->funcname);
      if (!schema.empty() && schema != "pg_catalog") return true;
      if (builtin_volatility(pg::function_name(call->funcname)) != Volatility::immutable)
        return true;
      break;
    }
    case T_SQLValueFunction:  // CURRENT_DATE, CURRENT_TIMESTAMP, CURRENT_USER, ...
    case T_SubLink:
    case T_ParamRef:
    case T_CurrentOfExpr:
      return true;
    case T_A_Const: {
      std::optional<std::string> text = string_constant(node);
      if (text && names_current_time(*text)) return true;
      break;
    }
    default:
      break;
  }
  ++depth;
  const bool found = raw_expression_tree_walker(node, tied_to_transaction, context);
  --depth;
  return found;
}

}  // namespace

bool same_in_any_session(const Node* expr) {
  int depth = 0;
  return expr != nullptr && !tied_to_transaction(const_cast<Node*>(expr), &depth);
}

Volatility builtin_volatility(std::string_view name) {
  static_assert(std::size(kBuiltins) > 0);
  auto it = std::lower_bound(std::begin(kBuiltins), std::end(kBuiltins), name,
                             [](const Builtin& b, std::string_view n) { return b.name < n; });
  if (it == std::end(kBuiltins) || it->name != name) return Volatility::unknown;
  switch (it->volatility) {
    case 'i':
      return Volatility::immutable;
    case 's':
      return Volatility::stable;
    default:
      return Volatility::volatile_;
  }
}

bool harmless_volatile(std::string_view name) {
  return std::find(std::begin(kHarmlessVolatile), std::end(kHarmlessVolatile), name) !=
         std::end(kHarmlessVolatile);
}

bool may_be_volatile(const Node* expr) {
  int depth = 0;
  return expr != nullptr && any_volatile_call(const_cast<Node*>(expr), &depth);
}

}  // namespace safedb::sql
