#include <cstring>
#include <string>

#include "sql/pg_api.h"

// clang-format off
extern "C" {
#include <utils/memutils.h>
}
// clang-format on

namespace safedb::sql::pg {
namespace {

// libpg_query reports error positions as 1-based character counts; convert to
// a byte offset in UTF-8 text.
std::size_t byte_offset_of_char(const std::string& text, int cursor) {
  if (cursor <= 1) return 0;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == static_cast<std::size_t>(cursor - 1)) return i;
      ++chars;
    }
  }
  return text.size();
}

ParseError to_parse_error(const std::string& text, const PgQueryError* error) {
  return {error->message ? error->message : "syntax error",
          byte_offset_of_char(text, error->cursorpos)};
}

}  // namespace

StatementMemory::StatementMemory()
    : parent_(CurrentMemoryContext),
      context_(AllocSetContextCreate(parent_, "safedb statement", ALLOCSET_DEFAULT_SIZES)) {}

StatementMemory::~StatementMemory() {
  MemoryContextSwitchTo(parent_);
  MemoryContextDelete(context_);
}

void StatementMemory::release() {
  MemoryContextSwitchTo(parent_);
  MemoryContextReset(context_);
}

Parsed raw_parse(const std::string& text, int mode) {
  PgQueryInternalParsetreeAndError result = pg_query_raw_parse(text.c_str(), mode);
  Parsed parsed;
  if (result.error) {
    parsed.error = to_parse_error(text, result.error);
    pg_query_free_error(result.error);
  } else {
    parsed.statements = result.tree;
  }
  if (result.stderr_buffer) free(result.stderr_buffer);
  return parsed;
}

std::string_view node_name(const Node* node) {
  if (node == nullptr) return "Null";
  switch (nodeTag(node)) {
#define SAFEDB_NODE(name) \
  case T_##name:          \
    return #name;
#include "node_names.inc"
#undef SAFEDB_NODE
    default:
      return "Unknown";
  }
}

std::string_view string_value(const Node* node) {
  if (node == nullptr || !IsA(node, String)) return {};
  const char* s = strVal(node);
  return s ? std::string_view(s) : std::string_view();
}

bool names_option(const List* options, std::string_view name) {
  const ListCell* cell;
  foreach (cell, options) {
    const Node* n = static_cast<const Node*>(lfirst(cell));
    if (n != nullptr && IsA(n, DefElem)) {
      const char* defname = castNode(DefElem, n)->defname;
      if (defname != nullptr && name == defname) return true;
    }
  }
  return false;
}

std::string dotted(const List* names) {
  std::string out;
  const ListCell* cell;
  foreach (cell, names) {
    if (!out.empty()) out += '.';
    const Node* n = static_cast<const Node*>(lfirst(cell));
    if (n && IsA(n, A_Star)) {
      out += '*';
    } else {
      out += string_value(n);
    }
  }
  return out;
}

std::string qualified(const RangeVar* relation) {
  if (relation == nullptr) return {};
  std::string schema = relation->schemaname ? relation->schemaname : "public";
  return schema + "." + (relation->relname ? relation->relname : "");
}

std::string qualified(const List* names) {
  std::string name = dotted(names);
  if (list_length(names) == 1) return "public." + name;
  if (list_length(names) == 3) return name.substr(name.find('.') + 1);  // drop catalog
  return name;
}

std::string function_name(const List* funcname) {
  if (list_length(funcname) == 0) return {};
  std::string name(string_value(static_cast<const Node*>(llast(funcname))));
  for (char& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string function_schema(const List* funcname) {
  if (list_length(funcname) < 2) return {};
  return std::string(
      string_value(static_cast<const Node*>(list_nth(funcname, list_length(funcname) - 2))));
}

}  // namespace safedb::sql::pg
