#include "safedb/sql/effect.h"

namespace safedb::sql {

std::string_view to_string(Effect effect) {
  switch (effect) {
    case Effect::data_loss:
      return "data-loss";
    case Effect::blocking:
      return "blocking";
    case Effect::schema_break:
      return "schema-break";
    case Effect::privilege:
      return "privilege";
    case Effect::opaque:
      return "opaque";
    case Effect::non_transactional:
      return "non-transactional";
    case Effect::maintenance:
      return "maintenance";
  }
  return "opaque";
}

std::optional<Effect> effect_from_string(std::string_view name) {
  for (Effect e : kAllEffects) {
    if (to_string(e) == name) return e;
  }
  return std::nullopt;
}

std::vector<Effect> EffectSet::list() const {
  std::vector<Effect> out;
  for (Effect e : kAllEffects) {
    if (has(e)) out.push_back(e);
  }
  return out;
}

}  // namespace safedb::sql
