#include "exec/run_records.h"

namespace safedb::exec {
namespace {

using nlohmann::json;

json effects_json(const sql::EffectSet& effects) {
  json out = json::array();
  for (sql::Effect e : effects.list())
    out.push_back(to_string(e));
  return out;
}

json file_json(const RunRequest& request, const RunResult& result) {
  return {
      {"path", request.file}, {"sha256", result.sha256}, {"size", result.source->text().size()}};
}

json error_json(const db::DbError& e, const RunResult& result, const sql::Statement& st) {
  json out = {{"sqlstate", e.sqlstate}, {"message", e.message}};
  if (!e.detail.empty()) out["detail"] = e.detail;
  if (!e.hint.empty()) out["hint"] = e.hint;
  if (!e.context.empty()) out["context"] = e.context;
  // The error position counts characters within the statement; report it in the file.
  std::size_t offset = st.offset;
  const std::string& text = result.source->text();
  for (std::size_t i = st.offset, chars = 0; i < st.offset + st.length; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (static_cast<int>(++chars) == e.position) {
      offset = i;
      break;
    }
  }
  sql::Position p = e.position > 0 ? result.source->position_of(offset) : st.position;
  out["line"] = p.line;
  out["column"] = p.column;
  return out;
}

}  // namespace

json identity_json(const TargetSpec& target, const db::TargetIdentity& identity) {
  return {{"name", target.name},
          {"environment", target.environment},
          {"system_identifier", identity.system_identifier},
          {"database", identity.database},
          {"host", identity.host},
          {"port", identity.port},
          {"server_version", identity.server_version_num},
          {"in_recovery", identity.in_recovery}};
}

json steps_json(const RunResult& result) {
  json steps = json::array();
  for (const StepReport& step : result.report.steps) {
    const sql::Statement& st = result.analysis.statements[static_cast<std::size_t>(step.index)];
    json s = {{"index", step.index},
              {"line", st.position.line},
              {"kind", st.kind},
              {"effects", effects_json(st.effects)},
              {"transactional", step.transactional},
              {"status", to_string(step.status)},
              {"rows", step.rows ? json(*step.rows) : json(nullptr)},
              {"duration_ms", step.duration.count()}};
    if (step.error) s["error"] = error_json(*step.error, result, st);
    if (!step.notices.empty()) {
      json notices = json::array();
      for (const db::Notice& n : step.notices)
        notices.push_back({{"severity", n.severity}, {"message", n.message}});
      s["notices"] = notices;
    }
    if (!step.locks.empty()) {
      json locks = json::array();
      for (const LockTaken& l : step.locks)
        locks.push_back({{"relation", l.relation}, {"mode", l.mode}});
      s["locks"] = locks;
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

json intent_payload(const RunRequest& request, const RunResult& result) {
  json statements = json::array();
  for (const sql::Statement& st : result.analysis.statements) {
    statements.push_back({{"index", st.index},
                          {"line", st.position.line},
                          {"kind", st.kind},
                          {"effects", effects_json(st.effects)},
                          {"objects", st.objects}});
  }
  return {
      {"run_id", result.run_id},
      {"file", file_json(request, result)},
      {"target", identity_json(request.target, result.identity)},
      {"mode", request.mode == TransactionMode::single ? "single-transaction" : "per-statement"},
      {"statements", statements},
      {"policy_digest", result.policy_digest},
      {"plan", result.gates.contains("plan") ? result.gates["plan"] : json(nullptr)},
      {"break_glass",
       result.gates.contains("break_glass") ? result.gates["break_glass"] : json(nullptr)},
      {"evidence", result.gates},
      {"settings",
       {{"lock_timeout_ms", request.settings.lock_timeout.count()},
        {"statement_timeout_ms", request.settings.statement_timeout.count()},
        {"lock_retries", request.settings.lock_retries}}}};
}

json outcome_payload(const RunResult& result) {
  return {{"run_id", result.run_id},
          {"result", to_string(result.report.outcome)},
          {"sha256", result.sha256},
          {"attempts", result.report.attempts},
          {"duration_ms", result.report.duration.count()},
          {"statements", steps_json(result)},
          {"snapshot", result.snapshot},
          {"checks", result.checks}};
}

json dry_run_payload(const RunRequest& request, const RunResult& result) {
  json changes = json::array();
  for (const CatalogChange& c : result.report.changes) {
    changes.push_back({{"change", c.change}, {"kind", c.kind}, {"name", c.name}});
  }
  json not_rehearsed = json::array();
  for (int index : result.plan.separate)
    not_rehearsed.push_back(index);
  return {{"run_id", result.run_id},
          {"file", file_json(request, result)},
          {"target", identity_json(request.target, result.identity)},
          {"result", result.report.outcome == Outcome::rolled_back ? "succeeded" : "failed"},
          {"duration_ms", result.report.duration.count()},
          {"statements", steps_json(result)},
          {"catalog_changes", changes},
          {"not_rehearsed", not_rehearsed}};
}

}  // namespace safedb::exec
