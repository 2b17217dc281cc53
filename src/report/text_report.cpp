#include <fmt/format.h>

#include <map>

#include "safedb/report/check_report.h"

namespace safedb::report {
namespace {

struct Palette {
  bool on = false;
  std::string_view bold() const { return on ? "\033[1m" : ""; }
  std::string_view dim() const { return on ? "\033[2m" : ""; }
  std::string_view red() const { return on ? "\033[1;31m" : ""; }
  std::string_view yellow() const { return on ? "\033[1;33m" : ""; }
  std::string_view cyan() const { return on ? "\033[1;36m" : ""; }
  std::string_view reset() const { return on ? "\033[0m" : ""; }
  std::string_view severity(sql::Severity s) const {
    switch (s) {
      case sql::Severity::error:
        return red();
      case sql::Severity::warning:
        return yellow();
      case sql::Severity::info:
        return cyan();
    }
    return "";
  }
};

// "    3 | DELETE FROM t;" and a caret under the column.
void source_excerpt(std::string& out, const sql::Source& source, sql::Position p,
                    const Palette& c) {
  std::string_view line = source.line_text(p.line);
  if (line.size() > 200) line = line.substr(0, 200);
  const std::string number = std::to_string(p.line);
  out += fmt::format("  {}{} |{} {}\n", c.dim(), number, c.reset(), line);
  std::string pad;
  int column = 1;
  for (char ch : line) {
    if (column >= p.column) break;
    if ((static_cast<unsigned char>(ch) & 0xC0) == 0x80) continue;
    pad += ch == '\t' ? '\t' : ' ';
    ++column;
  }
  out += fmt::format("  {} {}|{} {}{}^{}\n", std::string(number.size(), ' '), c.dim(), c.reset(),
                     pad, c.bold(), c.reset());
}

std::string effects_text(const sql::EffectSet& effects) {
  std::string out;
  for (sql::Effect e : effects.list())
    out += (out.empty() ? "" : ", ") + std::string(to_string(e));
  return out;
}

// What the policies require of one file, one requirement per line.
void policy_section(std::string& out, const CheckedFile& file, const PolicyContext& policy,
                    const Palette& c) {
  const policy::Requirements& r = *file.requirements;
  const std::string where = policy.target
                                ? fmt::format("target {} ({})", *policy.target, r.environment)
                                : fmt::format("environment {}", r.environment);
  if (r.files.empty()) {
    out += fmt::format("{}{}{}: no policy file in {} applies to {}; nothing is required\n",
                       c.bold(), file.analysis.path, c.reset(), policy.folder, where);
    return;
  }
  std::string from;
  for (const std::string& f : r.files)
    from += (from.empty() ? "" : ", ") + f;
  const std::vector<std::string> lines = policy::describe(r);
  if (lines.empty()) {
    out += fmt::format("{}{}{}: nothing is required on {} ({})\n", c.bold(), file.analysis.path,
                       c.reset(), where, from);
    return;
  }
  out += fmt::format("{}{}{}: requirements on {} ({}):\n", c.bold(), file.analysis.path, c.reset(),
                     where, from);
  for (const std::string& line : lines) {
    const bool refused = line.starts_with("refused:");
    out += fmt::format("  {}- {}{}\n", refused ? c.red() : "", line, refused ? c.reset() : "");
  }
  for (const policy::AppliedRule& a : r.applied) {
    std::string statements;
    for (int i : a.statements)
      statements += fmt::format("{}#{}", statements.empty() ? "" : ", ", i);
    out += fmt::format("  {}rule {} {}: {}{}\n", c.dim(), a.rule.file, a.rule.rule, statements,
                       c.reset());
  }
}

}  // namespace

std::string render_text(const std::vector<CheckedFile>& files, TextStyle style,
                        const PolicyContext* policy) {
  const Palette c{style.color};
  std::string out;
  for (const CheckedFile& file : files) {
    const sql::FileAnalysis& a = file.analysis;
    for (const sql::Finding* f : findings_of(a)) {
      if (f->suppressed_because) {
        out += fmt::format("{}{}:{}:{}: suppressed[{}]: {} (reason: {}){}\n", c.dim(), a.path,
                           f->position.line, f->position.column, f->rule, f->message,
                           *f->suppressed_because, c.reset());
        continue;
      }
      out += fmt::format("{}{}:{}:{}:{} {}{}[{}]{}: {}\n", c.bold(), a.path, f->position.line,
                         f->position.column, c.reset(), c.severity(f->severity),
                         to_string(f->severity), f->rule, c.reset(), f->message);
      source_excerpt(out, *file.source, f->position, c);
      if (!f->help.empty()) out += fmt::format("  {}help:{} {}\n", c.bold(), c.reset(), f->help);
    }
    // What the file will do, statement by statement (only those with effects).
    std::map<sql::Effect, int> per_effect;
    std::string listing;
    for (const sql::Statement& st : a.statements) {
      for (sql::Effect e : st.effects.list())
        ++per_effect[e];
      if (st.effects.empty()) continue;
      std::string objects;
      for (const std::string& o : st.objects)
        objects += (objects.empty() ? "" : ", ") + o;
      listing += fmt::format(
          "  #{:<3} {:>4}:{:<3} {:<22} {:<40} {}{}\n", st.index, st.position.line,
          st.position.column, st.kind, effects_text(st.effects),
          st.lock == sql::LockMode::none ? "" : std::string(to_string(st.lock)) + " ", objects);
    }
    std::string summary;
    for (auto& [effect, count] : per_effect) {
      summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", count, to_string(effect));
    }
    out += fmt::format("{}{}{}: {} statement{}{}\n", c.bold(), a.path, c.reset(),
                       a.statements.size(), a.statements.size() == 1 ? "" : "s",
                       summary.empty() ? " (read-only or additive)" : " (" + summary + ")");
    out += listing;
    if (policy != nullptr && file.requirements) policy_section(out, file, *policy, c);
  }
  Tally t = tally(files);
  out += fmt::format("{} error{}, {} warning{}, {} info{}\n", t.errors, t.errors == 1 ? "" : "s",
                     t.warnings, t.warnings == 1 ? "" : "s", t.infos,
                     t.suppressed ? fmt::format(", {} suppressed", t.suppressed) : "");
  return out;
}

}  // namespace safedb::report
