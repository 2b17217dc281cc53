#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "safedb/sql/analysis.h"
#include "safedb/sql/rules.h"
#include "safedb/util/text.h"
#include "sql/classify.h"
#include "sql/file_tokens.h"
#include "sql/scanner.h"

namespace safedb::sql {
namespace {

// An inline suppression: "-- safedb:ignore rule[,rule] reason".
struct Suppression {
  std::size_t offset = 0;
  std::vector<std::string> rules;
  std::string reason;
};

using util::trim;

// Reads a suppression from a comment token; nullopt if the comment is not one.
std::optional<Suppression> parse_suppression(std::string_view comment, std::size_t offset,
                                             const Source& source, std::vector<Finding>& problems) {
  if (comment.starts_with("--")) {
    comment.remove_prefix(2);
  } else if (comment.starts_with("/*")) {
    comment.remove_prefix(2);
    if (comment.ends_with("*/")) comment.remove_suffix(2);
  }
  comment = trim(comment);
  constexpr std::string_view kMarker = "safedb:ignore";
  if (!comment.starts_with(kMarker)) return std::nullopt;
  comment = trim(comment.substr(kMarker.size()));
  std::size_t space = comment.find_first_of(" \t");
  std::string_view ids = comment.substr(0, space);
  std::string_view reason = space == std::string_view::npos ? "" : trim(comment.substr(space));

  auto problem = [&](std::string_view rule, std::string message) {
    const RuleInfo* info = find_rule(rule);
    problems.push_back(Finding{std::string(rule), info->severity, std::move(message),
                               std::string(info->help), source.position_of(offset), std::nullopt});
  };
  Suppression s;
  s.offset = offset;
  while (!ids.empty()) {
    std::size_t comma = ids.find(',');
    std::string id(ids.substr(0, comma));
    ids = comma == std::string_view::npos ? "" : ids.substr(comma + 1);
    if (id.empty()) continue;
    if (find_rule(id) == nullptr) {
      problem("unknown-rule-in-suppression",
              fmt::format("safedb:ignore names unknown rule '{}'", id));
    } else {
      s.rules.push_back(std::move(id));
    }
  }
  if (s.rules.empty() && ids.empty() && comment.empty()) {
    problem("suppression-without-reason", "safedb:ignore names no rule and gives no reason");
    return std::nullopt;
  }
  if (reason.empty()) {
    problem("suppression-without-reason",
            "safedb:ignore without a reason is not honoured; write the reason after the rule id");
    return std::nullopt;
  }
  s.reason = std::string(reason);
  return s;
}

// Which statement a suppression covers: the one it sits in, the one that ends
// on its line just before it (a trailing comment), or else the next one.
Statement* suppression_target(const Suppression& s, std::vector<Statement>& statements,
                              const Source& source) {
  Statement* previous = nullptr;
  for (Statement& st : statements) {
    if (s.offset >= st.offset && s.offset < st.offset + st.length) return &st;
    if (st.offset > s.offset) {
      if (previous != nullptr && source.position_of(previous->offset + previous->length).line ==
                                     source.position_of(s.offset).line) {
        return previous;
      }
      return &st;
    }
    previous = &st;
  }
  if (previous != nullptr && source.position_of(previous->offset + previous->length).line ==
                                 source.position_of(s.offset).line) {
    return previous;
  }
  return nullptr;
}

// Into how many parts a file of `size` bytes is cut for parsing: one per
// core, up to four, each of at least kMinPartBytes (a part costs a thread,
// and parsing 256 KiB takes milliseconds; most migrations are one part).
std::size_t parse_parts(std::size_t size) {
  constexpr std::size_t kMinPartBytes = 256 * 1024;
  constexpr std::size_t kMaxParts = 4;
  const std::size_t parts = size / kMinPartBytes;
  if (parts <= 1) return 1;  // without asking how many cores (glibc reads /sys for it)
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return std::min({parts, cores, kMaxParts});
}

// A psql meta-command (a backslash outside quotes) runs to the end of its line.
struct MetaCommand {
  std::size_t offset = 0;
  std::size_t length = 0;
};

}  // namespace

std::string_view grammar_version() {
  return SAFEDB_GRAMMAR;
}

Result<FileAnalysis> analyse(const Source& source, AnalysisOptions options) {
  const std::string& text = source.text();
  FileAnalysis analysis;
  analysis.path = source.path();

  // Parse trees and scanner state live in this arena until the analysis ends.
  pg::Arena arena;

  // 1. Comments and psql meta-commands. The byte-level Lexer finds comments
  // as PostgreSQL's lexer would; a file with a `\\` token outside quotes (a
  // meta-command, rare) is tokenised by PostgreSQL's own lexer instead, whose
  // token list then also serves to delimit statements.
  const FileTokens file_tokens(text);
  const bool backslash = file_tokens.has_backslash();
  std::vector<Token> marks = file_tokens.comments();  // comments and backslashes, in file order
  std::vector<Token> tokens;                          // PostgreSQL's tokens when `backslash`
  if (backslash) {
    tokens = scan(text);
    marks.clear();
    for (const Token& token : tokens) {
      if (token.kind == Token::Kind::comment || token.kind == Token::Kind::backslash)
        marks.push_back(token);
    }
  }
  std::string edited;  // the text with meta-commands replaced, when there are any
  std::vector<MetaCommand> meta_commands;
  std::vector<Suppression> suppressions;
  for (const Token& token : marks) {
    if (token.kind == Token::Kind::backslash) {
      if (!meta_commands.empty() &&
          token.start < meta_commands.back().offset + meta_commands.back().length) {
        continue;  // a backslash argument of the previous meta-command
      }
      std::size_t end = text.find('\n', token.start);
      if (end == std::string::npos) end = text.size();
      meta_commands.push_back({token.start, end - token.start});
      // For the parser the meta-command ends any statement before it, as in psql.
      if (edited.empty()) edited = text;
      edited[token.start] = ';';
      std::fill(edited.begin() + static_cast<long>(token.start) + 1,
                edited.begin() + static_cast<long>(end), ' ');
    } else {
      std::string_view comment(text.data() + token.start, token.end - token.start);
      if (auto s = parse_suppression(comment, token.start, source, analysis.file_findings)) {
        suppressions.push_back(std::move(*s));
      }
    }
  }

  // Tokens of meta-commands are no part of any statement.
  std::erase_if(tokens, [&](const Token& t) {
    for (const MetaCommand& m : meta_commands) {
      if (t.start >= m.offset && t.start < m.offset + m.length) return true;
    }
    return false;
  });

  // 2. Parse with the real grammar and classify each statement in file order.
  // A large file is parsed in parts at once, cut at `;` tokens.
  const std::string& parse_text = meta_commands.empty() ? text : edited;
  const pg::SplitParse split(parse_text, backslash ? std::vector<std::size_t>{}
                                                   : file_tokens.cuts(parse_parts(text.size())));
  const pg::Parsed& parsed = split.parsed();
  if (parsed.error) {
    Position p = source.position_of(parsed.error->offset);
    return Error::input(fmt::format("{}:{}:{}: parse error: {}", source.path(), p.line, p.column,
                                    parsed.error->message));
  }

  FileState state;
  std::vector<Statement> statements;
  statements.reserve(static_cast<std::size_t>(list_length(parsed.statements)) +
                     meta_commands.size());
  std::size_t next_meta = 0;
  auto emit_meta_commands_before = [&](std::size_t offset) {
    for (; next_meta < meta_commands.size() && meta_commands[next_meta].offset < offset;
         ++next_meta) {
      const MetaCommand& m = meta_commands[next_meta];
      Statement st;
      st.offset = m.offset;
      st.length =
          static_cast<std::size_t>(trim(std::string_view(text).substr(m.offset, m.length)).size());
      st.position = source.position_of(m.offset);
      st.kind = "PsqlMetaCommand";
      st.effects.add(Effect::opaque);
      Sink sink;
      Scope scope(source, state, sink, st.findings, text, 0, m.offset, 0);
      std::string_view command = st.text(source);
      command = command.substr(0, command.find_first_of(" \t"));
      scope.report(
          "psql-meta-command", -1,
          fmt::format("psql meta-command {} cannot be analysed or honoured by safedb", command));
      statements.push_back(std::move(st));
    }
  };

  std::vector<Token> statement_tokens;
  pg::StatementMemory statement_memory;
  const ListCell* cell;
  foreach (cell, parsed.statements) {
    const RawStmt* raw = static_cast<const RawStmt*>(lfirst(cell));
    std::size_t begin = static_cast<std::size_t>(std::max(raw->stmt_location, 0));
    std::size_t end =
        raw->stmt_len > 0 ? begin + static_cast<std::size_t>(raw->stmt_len) : text.size();
    // The statement's text runs from its first token to its last, without the
    // white space and comments around it.
    if (backslash) {
      auto from =
          std::lower_bound(tokens.begin(), tokens.end(), begin,
                           [](const Token& token, std::size_t at) { return token.start < at; });
      auto to = std::find_if(from, tokens.end(), [&](const Token& t) { return t.start >= end; });
      statement_tokens.assign(from, to);
    } else {
      file_tokens.statement_tokens(begin, end, statement_tokens);
    }
    auto [first, last] = statement_extent(statement_tokens, end, text);
    if (first >= last) {  // the scanner failed earlier; fall back to trimming white space
      std::string_view slice = trim(std::string_view(parse_text).substr(begin, end - begin));
      first = static_cast<std::size_t>(slice.data() - parse_text.data());
      last = first + slice.size();
    }
    emit_meta_commands_before(first);

    Statement st;
    st.offset = first;
    st.length = last - first;
    st.position = source.position_of(first);
    st.kind = std::string(pg::node_name(raw->stmt));
    Sink sink;
    Scope scope(source, state, sink, st.findings, text, 0, first, 0);
    scope.set_statement(std::string_view(text).substr(first, last - first));
    statement_memory.use();
    classify_statement(raw->stmt, scope);
    check_timeouts(scope);
    statement_memory.release();
    st.effects = sink.effects;
    st.objects = std::move(sink.objects);
    st.lock = sink.lock;
    st.transaction_control = sink.transaction_control;
    if (options.destructions && st.effects.has(Effect::data_loss))
      describe_destruction(raw->stmt, text, st);
    statements.push_back(std::move(st));
  }
  emit_meta_commands_before(text.size() + 1);

  if (statements.empty()) {
    return Error::input(
        fmt::format("{}: contains no SQL statements (only comments)", source.path()));
  }
  for (std::size_t i = 0; i < statements.size(); ++i)
    statements[i].index = static_cast<int>(i);

  // 3. Inline suppressions mark findings; they never remove them.
  for (const Suppression& s : suppressions) {
    Statement* target = suppression_target(s, statements, source);
    if (target == nullptr) continue;
    for (Finding& f : target->findings) {
      if (std::find(s.rules.begin(), s.rules.end(), f.rule) != s.rules.end()) {
        f.suppressed_because = s.reason;
      }
    }
  }
  analysis.statements = std::move(statements);
  return analysis;
}

}  // namespace safedb::sql
