// Reading one policy file: shape, types and values, every problem at once.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "policy_file.h"
#include "safedb/sql/rules.h"
#include "safedb/sql/statement_kind.h"
#include "safedb/util/jsonc.h"
#include "safedb/util/size.h"

#include "safedb/util/spelling.h"

namespace safedb::policy {
namespace {

using nlohmann::json;

using util::did_you_mean;

std::string effect_list() {
  std::string out;
  for (sql::Effect e : sql::kAllEffects)
    out += (out.empty() ? "" : ", ") + std::string(sql::to_string(e));
  return out;
}

class FileReader {
 public:
  FileReader(const util::JsonDocument& doc, PolicyFile& file, const KnownTargets* targets)
      : doc_(doc), r_(doc), file_(file), targets_(targets) {}

  void read() {
    if (!doc_.value.is_object()) {
      r_.problem("", "expected an object at the top level");
      return;
    }
    r_.object("", {"version", "applies_to", "rules", "break_glass"});
    if (!r_.has("/version")) {
      r_.problem("/version", "missing: write \"version\": 1");
    } else if (auto v = r_.integer("/version"); v && *v != 1) {
      r_.problem("/version", "only version 1 is understood");
    }
    read_applies_to();
    read_rules();
    read_break_glass();
  }

  std::vector<std::string> problems() const {
    std::vector<std::string> out;
    Status s = r_.finish();
    if (s) return out;
    std::istringstream lines(s.error().message());
    for (std::string line; std::getline(lines, line);)
      out.push_back(line);
    return out;
  }

 private:
  Location location(const std::string& pointer) const {
    return {doc_.line_of(pointer), util::key_path(pointer)};
  }

  const json* at(const std::string& pointer) const {
    const json::json_pointer p(pointer);
    return doc_.value.contains(p) ? &doc_.value.at(p) : nullptr;
  }

  // A list of non-empty strings with at least one element.
  std::optional<std::vector<std::string>> names(const std::string& pointer) {
    auto list = r_.strings(pointer);
    if (!list) return std::nullopt;
    if (list->empty()) {
      r_.problem(pointer, "is empty; list at least one name or remove the key");
      return std::nullopt;
    }
    bool ok = true;
    for (std::size_t i = 0; i < list->size(); ++i) {
      if ((*list)[i].empty()) {
        r_.problem(pointer + "/" + std::to_string(i), "must not be empty");
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return list;
  }

  std::optional<std::vector<Glob>> globs(const std::string& pointer, bool qualified_names) {
    auto list = names(pointer);
    if (!list) return std::nullopt;
    std::vector<Glob> out;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string& text = (*list)[i];
      const std::string item = pointer + "/" + std::to_string(i);
      Result<Glob> g = Glob::parse(text);
      if (!g) {
        r_.problem(item, fmt::format("bad pattern \"{}\": {}", text, g.error().message()));
        continue;
      }
      if (qualified_names && text != "*" && text.find('.') == std::string::npos) {
        r_.problem(item, fmt::format("\"{}\" never matches: objects are named schema.name "
                                     "(write \"*.{}\" for any schema)",
                                     text, text));
        continue;
      }
      out.push_back(*g);
    }
    if (out.size() != list->size()) return std::nullopt;
    return out;
  }

  std::optional<util::Duration> positive_duration(const std::string& pointer) {
    auto d = r_.duration(pointer);
    if (d && d->count() <= 0) {
      r_.problem(pointer, "must be more than 0");
      return std::nullopt;
    }
    return d;
  }

  std::optional<util::Duration> required_age(const std::string& object) {
    if (!r_.has(object + "/max_age")) {
      r_.problem(object, "needs \"max_age\", e.g. \"4h\"");
      return std::nullopt;
    }
    return positive_duration(object + "/max_age");
  }

  void read_applies_to() {
    const std::string p = "/applies_to";
    if (!r_.has(p)) {
      r_.problem(p,
                 "missing: say where the file applies, e.g. {\"environments\": [\"production\"]}");
      return;
    }
    if (!r_.object(p, {"environments", "targets"})) return;
    if (!r_.has(p + "/environments") && !r_.has(p + "/targets")) {
      r_.problem(p, "needs \"environments\" or \"targets\"");
      return;
    }
    if (auto v = names(p + "/environments")) file_.applies_to.environments = *v;
    if (auto v = names(p + "/targets")) {
      for (std::size_t i = 0; i < v->size(); ++i)
        check_target(p + "/targets/" + std::to_string(i), (*v)[i]);
      file_.applies_to.targets = *v;
    }
  }

  // With safedb.json's targets known, a name that is not one of them is a
  // typo that would quietly make a policy apply nowhere.
  void check_target(const std::string& pointer, const std::string& name) {
    if (targets_ == nullptr || targets_->contains(name)) return;
    std::vector<std::string> known;
    std::string list;
    for (const auto& [target, environment] : *targets_) {
      known.push_back(target);
      list += (list.empty() ? "" : ", ") + target;
    }
    r_.problem(pointer, fmt::format("unknown target \"{}\"{} (configured: {})", name,
                                    did_you_mean(name, known), list));
  }

  void read_rules() {
    if (!r_.has("/rules")) {
      r_.problem("/rules", "missing: write \"rules\": [] for a file that requires nothing");
      return;
    }
    const json* rules = at("/rules");
    if (!rules->is_array()) {
      r_.problem("/rules", "expected a list of rules");
      return;
    }
    std::map<std::string, int> seen;
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const std::string p = "/rules/" + std::to_string(i);
      if (!r_.object(p, {"id", "when", "require", "deny"})) continue;
      Rule rule;
      rule.at = location(p);
      if (!r_.has(p + "/id")) {
        r_.problem(p, "needs an \"id\" (e.g. \"destructive-needs-approvals\")");
      } else if (auto id = r_.string(p + "/id")) {
        const bool ok = !id->empty() && std::all_of(id->begin(), id->end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
        if (!ok) {
          r_.problem(p + "/id", "use letters, digits, '-', '_' and '.' only");
        } else if (auto [it, fresh] = seen.emplace(*id, rule.at.line); !fresh) {
          r_.problem(p + "/id",
                     fmt::format("duplicate rule id \"{}\" (first at line {})", *id, it->second));
        }
        rule.id = *id;
      }
      if (r_.has(p + "/when")) read_when(p + "/when", rule.when);
      const bool has_require = r_.has(p + "/require");
      const bool denies = r_.has(p + "/deny");
      if (!has_require && !denies) {
        r_.problem(p, "needs \"require\" (what must hold first) or \"deny\" (a message)");
      } else if (has_require && denies) {
        r_.problem(p + "/deny",
                   "a rule either requires or denies; split it in two rules with their own ids");
      } else if (denies) {
        if (auto message = r_.string(p + "/deny")) {
          if (message->empty())
            r_.problem(p + "/deny", "say why, in words shown to whoever is refused");
          else
            rule.deny = *message;
        }
      } else {
        read_require(p + "/require", rule);
      }
      file_.rules.push_back(std::move(rule));
    }
  }

  void read_when(const std::string& p, When& when) {
    if (!r_.object(p, {"effects", "rules", "kinds", "objects"})) return;
    if (r_.keys(p).empty()) {
      r_.problem(p,
                 "matches nothing as written: list effects, rules, kinds or objects (or leave "
                 "out \"when\" to match every statement)");
      return;
    }
    if (auto list = names(p + "/effects")) {
      sql::EffectSet effects;
      for (std::size_t i = 0; i < list->size(); ++i) {
        std::optional<sql::Effect> e = sql::effect_from_string((*list)[i]);
        if (!e) {
          std::vector<std::string> known;
          for (sql::Effect k : sql::kAllEffects)
            known.emplace_back(sql::to_string(k));
          r_.problem(p + "/effects/" + std::to_string(i),
                     fmt::format("unknown effect \"{}\"{} (known: {})", (*list)[i],
                                 did_you_mean((*list)[i], known), effect_list()));
          continue;
        }
        effects.add(*e);
      }
      when.effects = effects;
    }
    if (auto list = names(p + "/rules")) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (sql::find_rule((*list)[i]) != nullptr) continue;
        std::vector<std::string_view> known;
        for (const sql::RuleInfo& info : sql::all_rules())
          known.push_back(info.id);
        r_.problem(p + "/rules/" + std::to_string(i),
                   fmt::format("unknown rule \"{}\"{} (see `safedb rules`)", (*list)[i],
                               did_you_mean((*list)[i], known)));
      }
      when.rules = *list;
    }
    if (auto list = names(p + "/kinds")) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (sql::is_statement_kind((*list)[i])) continue;
        std::string close = sql::closest_statement_kind((*list)[i]);
        r_.problem(
            p + "/kinds/" + std::to_string(i),
            fmt::format("unknown statement kind \"{}\"{}", (*list)[i],
                        close.empty() ? " (kinds are parse-node names such as DeleteStmt, "
                                        "DropdbStmt; `safedb check --format json` shows them)"
                                      : fmt::format(" (did you mean \"{}\"?)", close)));
      }
      when.kinds = *list;
    }
    if (auto list = globs(p + "/objects", true)) when.objects = *list;
  }

  void read_require(const std::string& p, Rule& rule) {
    RuleRequirements& q = rule.require;
    if (!r_.object(p, {"dry_run", "backup", "approvals", "snapshot", "lock_timeout", "window",
                       "max_rows"})) {
      return;
    }
    if (r_.keys(p).empty()) {
      r_.problem(p, "requires nothing; list what must hold, or remove the rule");
      return;
    }
    if (r_.object(p + "/dry_run", {"max_age", "on"})) {
      DryRunRequirement d;
      auto age = required_age(p + "/dry_run");
      if (auto on = r_.string(p + "/dry_run/on")) {
        if (on->empty())
          r_.problem(p + "/dry_run/on", "name the target to rehearse on, e.g. \"staging\"");
        else
          check_target(p + "/dry_run/on", *on);
        if (!on->empty()) d.on_target = *on;
      }
      if (age) {
        d.max_age = *age;
        q.dry_run = d;
      }
    }
    if (r_.object(p + "/backup", {"verified", "max_age"})) {
      BackupRequirement b;
      auto age = required_age(p + "/backup");
      if (auto v = r_.boolean(p + "/backup/verified")) b.verified = *v;
      if (age) {
        b.max_age = *age;
        q.backup = b;
      }
    }
    if (r_.object(p + "/approvals", {"min", "principals", "exclude"})) read_approvals(p, rule);
    read_snapshot(p + "/snapshot", q);
    if (auto d = positive_duration(p + "/lock_timeout")) q.lock_timeout = *d;
    if (auto n = r_.integer(p + "/max_rows")) {
      if (*n < 1)
        r_.problem(p + "/max_rows", "must be at least 1 (to forbid the statements, use \"deny\")");
      else
        q.max_rows = *n;
    }
    if (r_.has(p + "/window")) read_window(p + "/window", rule);
  }

  void read_approvals(const std::string& p, Rule& rule) {
    const std::string a = p + "/approvals";
    ApprovalRequirement req;
    bool ok = true;
    if (!r_.has(a + "/min")) {
      r_.problem(a, "needs \"min\": how many people must approve");
      ok = false;
    } else if (auto n = r_.integer(a + "/min")) {
      if (*n < 1 || *n > 100) {
        r_.problem(a + "/min", "must be between 1 and 100");
        ok = false;
      } else {
        req.min = static_cast<int>(*n);
      }
    } else {
      ok = false;
    }
    if (r_.has(a + "/principals")) {
      if (auto g = globs(a + "/principals", false))
        req.principal_patterns.push_back(*g);
      else
        ok = false;
    }
    if (auto list = r_.strings(a + "/exclude")) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        if ((*list)[i] == "requester") {
          req.exclude_requester = true;
        } else if ((*list)[i] == "executor") {
          req.exclude_executor = true;
        } else {
          r_.problem(a + "/exclude/" + std::to_string(i),
                     fmt::format("unknown \"{}\" (requester, executor)", (*list)[i]));
          ok = false;
        }
      }
    }
    if (ok) {
      rule.require.approvals = req;
      rule.approvals_at = location(a);
    }
  }

  void read_snapshot(const std::string& p, RuleRequirements& q) {
    const json* v = at(p);
    if (v == nullptr) return;
    if (v->is_boolean()) {
      if (v->get<bool>())
        q.snapshot = SnapshotRequirement{};
      else
        r_.problem(p, "false requires nothing; remove it");
      return;
    }
    if (!v->is_object()) {
      r_.problem(p, "expected true or {\"max_size\": \"2GB\"}");
      return;
    }
    if (!r_.object(p, {"max_size"})) return;
    std::optional<std::uint64_t> max_size;
    if (auto text = r_.string(p + "/max_size")) {
      Result<std::uint64_t> size = util::parse_size(*text);
      if (!size) {
        r_.problem(p + "/max_size", size.error().message());
        return;
      }
      if (*size == 0) {
        r_.problem(p + "/max_size", "must be more than 0");
        return;
      }
      max_size = *size;
    } else if (r_.has(p + "/max_size")) {
      return;
    }
    q.snapshot = SnapshotRequirement{max_size, {}};
  }

  void read_window(const std::string& p, Rule& rule) {
    const json* v = at(p);
    MaintenanceWindow window;
    bool ok = true;
    if (v->is_object()) {
      ok = read_span(p, window);
    } else if (v->is_array() && !v->empty()) {
      for (std::size_t i = 0; i < v->size(); ++i)
        ok = read_span(p + "/" + std::to_string(i), window) && ok;
    } else {
      r_.problem(p,
                 "expected {\"days\": [...], \"from\": \"HH:MM\", \"to\": \"HH:MM\", \"tz\": "
                 "\"UTC\"} or a non-empty list of them");
      return;
    }
    if (ok) {
      rule.require.window = window;
      rule.window_at = location(p);
    }
  }

  bool read_span(const std::string& p, MaintenanceWindow& window) {
    if (!r_.object(p, {"days", "from", "to", "tz"})) return false;
    WindowSpan span;
    bool ok = true;
    if (auto list = names(p + "/days")) {
      span.days = 0;
      for (std::size_t i = 0; i < list->size(); ++i) {
        std::optional<DaySet> d = parse_days((*list)[i]);
        if (!d) {
          r_.problem(p + "/days/" + std::to_string(i),
                     fmt::format("\"{}\" is not a day (mon, tue, wed, thu, fri, sat, sun, or a "
                                 "range such as mon-fri)",
                                 (*list)[i]));
          ok = false;
          continue;
        }
        span.days |= *d;
      }
    } else if (r_.has(p + "/days")) {
      ok = false;
    }
    for (const char* key : {"from", "to"}) {
      const std::string k = p + "/" + key;
      const bool is_to = std::string_view(key) == "to";
      if (!r_.has(k)) {
        r_.problem(p, fmt::format("needs \"{}\": a local time HH:MM", key));
        ok = false;
        continue;
      }
      auto text = r_.string(k);
      if (!text) {
        ok = false;
        continue;
      }
      std::optional<int> minutes = parse_clock(*text, is_to);
      if (!minutes) {
        r_.problem(k, fmt::format("\"{}\" is not a time of day (HH:MM from 00:00 to {})", *text,
                                  is_to ? "24:00" : "23:59"));
        ok = false;
        continue;
      }
      (is_to ? span.to : span.from) = *minutes;
    }
    if (ok && span.from == span.to) {
      r_.problem(p + "/to",
                 "equals \"from\": the window would never close; for a whole day write "
                 "\"from\": \"00:00\", \"to\": \"24:00\"");
      ok = false;
    }
    const std::string tz_key = p + "/tz";
    std::optional<std::string> tz = r_.has(tz_key) ? r_.string(tz_key) : std::string("UTC");
    if (!tz) {
      ok = false;
    } else {
      auto it = zones_.find(*tz);
      if (it == zones_.end()) {
        Result<TimeZone> zone = TimeZone::load(*tz);
        if (!zone) {
          r_.problem(tz_key, zone.error().message());
          return false;
        }
        it = zones_.emplace(*tz, *zone).first;
      }
      span.zone = it->second;
    }
    if (ok) window.spans.push_back(span);
    return ok;
  }

  void read_break_glass() {
    const std::string p = "/break_glass";
    if (!r_.object(p, {"allowed", "principals"})) return;
    BreakGlassPolicy bg;
    bg.at = location(p);
    if (!r_.has(p + "/allowed")) {
      r_.problem(p, "needs \"allowed\": true or false");
      return;
    }
    auto allowed = r_.boolean(p + "/allowed");
    if (!allowed) return;
    bg.allowed = *allowed;
    if (bg.allowed) {
      if (!r_.has(p + "/principals")) {
        r_.problem(p,
                   "needs \"principals\": who may break the glass, e.g. [\"oncall@example.org\"]");
        return;
      }
      auto g = globs(p + "/principals", false);
      if (!g) return;
      bg.principals = *g;
    } else if (r_.has(p + "/principals")) {
      r_.problem(p + "/principals", "has no effect when \"allowed\" is false; remove it");
      return;
    }
    file_.break_glass = bg;
  }

  const util::JsonDocument& doc_;
  util::JsonReader r_;
  PolicyFile& file_;
  const KnownTargets* targets_;
  std::map<std::string, TimeZone> zones_;
};

}  // namespace

std::optional<PolicyFile> parse_policy_file(const std::string& name, const std::string& path,
                                            const std::string& text, const KnownTargets* targets,
                                            std::vector<std::string>& problems) {
  Result<util::JsonDocument> doc = util::parse_jsonc(text, path);
  if (!doc) {
    problems.push_back(doc.error().message());
    return std::nullopt;
  }
  PolicyFile file;
  file.name = name;
  file.path = path;
  file.bytes = text;
  FileReader reader(*doc, file, targets);
  reader.read();
  std::vector<std::string> found = reader.problems();
  if (!found.empty()) {
    problems.insert(problems.end(), found.begin(), found.end());
    return std::nullopt;
  }
  return file;
}

}  // namespace safedb::policy
