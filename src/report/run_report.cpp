#include "safedb/report/run_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "exec/run_records.h"

namespace safedb::report {
namespace {

// The lists of a snapshot summary (audit-log-format.md, "snapshot").
constexpr std::array<const char*, 4> kSaved = {"tables", "views", "parts", "objects"};

std::string first_line(std::string_view text) {
  std::string line(text.substr(0, text.find('\n')));
  if (line.size() > 70) line = line.substr(0, 67) + "...";
  return line;
}

std::string rows_text(const exec::StepReport& step) {
  return step.rows ? fmt::format("{} row{}", *step.rows, *step.rows == 1 ? "" : "s") : "";
}

std::string outcome_sentence(const exec::RunRequest& request, const exec::RunResult& result) {
  const bool dry = request.dry_run == exec::DryRun::yes;
  switch (result.report.outcome) {
    case exec::Outcome::committed:
      return "committed";
    case exec::Outcome::rolled_back:
      return dry ? "rehearsed and rolled back; nothing changed" : "rolled back";
    case exec::Outcome::failed:
      return dry ? "the rehearsal failed and was rolled back; nothing changed"
                 : "failed and rolled back; the database is unchanged";
    case exec::Outcome::partially_applied:
      return "failed after the transaction committed: the steps marked applied are in effect";
    case exec::Outcome::interrupted:
      return "interrupted and rolled back";
  }
  return "";
}

// "  #3     12:1   UpdateStmt  applied  1000 rows  35 ms  UPDATE ..." for one step.
std::string step_line(const sql::Source& source, const sql::Statement& st,
                      const exec::StepReport& step, std::string_view status) {
  return fmt::format("  #{:<3} {:>4}:{:<3} {:<20} {:<11} {:>12} {:>7} ms  {}\n", st.index,
                     st.position.line, st.position.column, st.kind, status, rows_text(step),
                     step.duration.count(), first_line(st.text(source)));
}

}  // namespace

std::string progress_line(const sql::Source& source, const sql::Statement& st,
                          const exec::StepReport& step) {
  return step_line(source, st, step, to_string(step.status));
}

std::string render_run_text(const exec::RunRequest& request, const exec::RunResult& result,
                            TextStyle) {
  const bool dry = request.dry_run == exec::DryRun::yes;
  std::string out =
      fmt::format("{} {} of {} (sha256 {}) on {}:\n", dry ? "dry-run" : "run", result.run_id,
                  request.file, result.sha256.substr(0, 16), request.target.name);
  for (const exec::StepReport& step : result.report.steps) {
    const sql::Statement& st = result.analysis.statements[static_cast<std::size_t>(step.index)];
    std::string status(to_string(step.status));
    if (dry && !step.transactional) status = "not rehearsed";
    out += step_line(*result.source, st, step, status);
    if (!st.effects.empty()) {
      std::string effects;
      for (sql::Effect e : st.effects.list())
        effects += (effects.empty() ? "" : ", ") + std::string(to_string(e));
      out += fmt::format("         effects: {}\n", effects);
    }
    for (const db::Notice& n : step.notices)
      out += fmt::format("         {}: {}\n", n.severity, n.message);
    for (const exec::LockTaken& l : step.locks)
      out += fmt::format("         lock {} on {}\n", l.mode, l.relation);
    if (step.error) {
      nlohmann::json e = exec::steps_json(
          result)[static_cast<std::size_t>(&step - &result.report.steps[0])]["error"];
      // safedb's own errors (a snapshot's) have no SQLSTATE.
      out += fmt::format(
          "  {}:{}:{}: ERROR: {}{}\n", request.file, e.value("line", 0), e.value("column", 0),
          step.error->message,
          step.error->sqlstate.empty() ? "" : fmt::format(" (SQLSTATE {})", step.error->sqlstate));
      if (!step.error->detail.empty()) out += fmt::format("    DETAIL: {}\n", step.error->detail);
      if (!step.error->hint.empty()) out += fmt::format("    HINT: {}\n", step.error->hint);
      if (!step.error->context.empty()) {
        std::string context = step.error->context;
        for (std::size_t at = 0; (at = context.find('\n', at)) != std::string::npos; at += 5)
          context.replace(at, 1, "\n    ");
        out += fmt::format("    CONTEXT: {}\n", context);
      }
    }
  }
  if (dry && !result.plan.separate.empty()) {
    out += "  (not rehearsed: statements that cannot run inside a transaction block)\n";
  }
  for (const exec::CatalogChange& c : result.report.changes) {
    out += fmt::format("  {} {} {}\n", c.change, c.kind, c.name);
  }
  // What the pre-change snapshot saved, and whether only the touched rows.
  if (result.snapshot.is_object()) {
    for (const nlohmann::json& t : result.snapshot["tables"]) {
      const std::string note = t.value("note", "");
      std::string scope = t.value("scope", "") != "rows" ? "the whole table"
                          : t.contains("via")            ? "the rows foreign keys reach"
                                                         : "the rows it touches";
      if (t.contains("via")) {
        const nlohmann::json& via = t["via"];
        for (std::size_t i = 0; i < via.size(); ++i)
          scope += (i == 0 ? " via " : ", ") + via[i].get<std::string>();
      }
      if (!note.empty()) scope += " (" + note + ")";
      out += fmt::format("  snapshot before #{}: {}, {} rows: {}\n", t.value("statement", 0),
                         t.value("table", ""), t.value("rows", 0), scope);
    }
    for (const nlohmann::json& v : result.snapshot.value("views", nlohmann::json::array())) {
      // A materialized view's rows are not saved: a restore refreshes it.
      out += fmt::format("  snapshot before #{}: {} {}: its definition{}\n",
                         v.value("statement", 0), v.value("kind", ""), v.value("view", ""),
                         v.value("kind", "") == "materialized view"
                             ? " (a restore creates it again and refreshes it from the tables)"
                             : "");
    }
    // The parts of one relation on one line: "index a, constraint b, default of c".
    std::vector<std::pair<std::pair<int, std::string>, std::vector<std::string>>> parts;
    for (const nlohmann::json& p : result.snapshot.value("parts", nlohmann::json::array())) {
      const std::pair<int, std::string> of = {p.value("statement", 0), p.value("relation", "")};
      auto it =
          std::find_if(parts.begin(), parts.end(), [&](const auto& g) { return g.first == of; });
      if (it == parts.end()) it = parts.insert(parts.end(), {of, {}});
      const std::string kind = p.value("kind", "");
      it->second.push_back(
          fmt::format("{}{} {}", kind, kind == "default" ? " of" : "", p.value("name", "")));
    }
    for (const auto& [of, what] : parts) {
      std::string listed;
      for (const std::string& w : what)
        listed += (listed.empty() ? "" : ", ") + w;
      out += fmt::format("  snapshot before #{}: {}: its {} (the statement drops {} too)\n",
                         of.first, of.second, listed, what.size() == 1 ? "it" : "them");
    }
    // The functions, types, ... of one statement on one line.
    std::vector<std::pair<int, std::vector<std::string>>> objects;
    for (const nlohmann::json& o : result.snapshot.value("objects", nlohmann::json::array())) {
      const int statement = o.value("statement", 0);
      if (o.value("kind", "") == "sequence value") {
        // Moved, not dropped: its definition is "next value N, increment I".
        out += fmt::format("  snapshot before #{}: sequence {}: where it stood, {}\n", statement,
                           o.value("name", ""), o.value("position", ""));
        continue;
      }
      if (objects.empty() || objects.back().first != statement) objects.push_back({statement, {}});
      objects.back().second.push_back(o.value("kind", "") + " " + o.value("name", ""));
    }
    for (const auto& [statement, what] : objects) {
      std::string listed;
      for (const std::string& w : what)
        listed += (listed.empty() ? "" : ", ") + w;
      const char* pronoun = what.size() == 1 ? "it" : "them";
      out += fmt::format(
          "  snapshot before #{}: {}: the SQL that creates {} again (the statement drops {} "
          "too)\n",
          statement, listed, pronoun, pronoun);
    }
    const bool empty = std::all_of(kSaved.begin(), kSaved.end(), [&](const char* what) {
      return result.snapshot.value(what, nlohmann::json::array()).empty();
    });
    out += empty ? fmt::format(
                       "  snapshot saved in {} (empty: the statements found nothing to "
                       "save)\n",
                       result.snapshot.value("folder", ""))
                 : fmt::format("  snapshot saved in {} (safedb restore {} to undo)\n",
                               result.snapshot.value("folder", ""), result.run_id);
  }
  out += fmt::format(
      "{} in {} ms{}\n", outcome_sentence(request, result), result.report.duration.count(),
      result.report.attempts > 1 ? fmt::format(" after {} attempts", result.report.attempts) : "");
  return out;
}

std::string render_run_json(const exec::RunRequest& request, const exec::RunResult& result) {
  nlohmann::json changes = nlohmann::json::array();
  for (const exec::CatalogChange& c : result.report.changes) {
    changes.push_back({{"change", c.change}, {"kind", c.kind}, {"name", c.name}});
  }
  nlohmann::json doc = {{"version", 1},
                        {"command", request.dry_run == exec::DryRun::yes ? "dry-run" : "run"},
                        {"run_id", result.run_id},
                        {"file", {{"path", request.file}, {"sha256", result.sha256}}},
                        {"target", exec::identity_json(request.target, result.identity)},
                        {"outcome", to_string(result.report.outcome)},
                        {"exit_code", to_int(result.exit_code)},
                        {"attempts", result.report.attempts},
                        {"duration_ms", result.report.duration.count()},
                        {"statements", exec::steps_json(result)},
                        {"snapshot", result.snapshot},
                        {"checks", result.checks}};
  if (request.dry_run == exec::DryRun::yes) doc["catalog_changes"] = changes;
  return doc.dump(2) + "\n";
}

}  // namespace safedb::report
