#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace safedb::sql {

// What a statement may do to a database, as a fixed vocabulary shared by the
// analyser, policies ("when": {"effects": [...]}) and reports. Several effects
// may apply to one statement; none means read-only or purely additive.
// The spelling of each effect (to_string) is part of the JSON contract.
enum class Effect : std::uint8_t {
  data_loss,          // "data-loss": may irreversibly delete or overwrite existing data
  blocking,           // "blocking": long lock on an existing relation that blocks reads or writes
  schema_break,       // "schema-break": existing clients may break
  privilege,          // "privilege": grants, roles, ownership, RLS, trigger bypass
  opaque,             // "opaque": cannot be known statically; treated as most dangerous
  non_transactional,  // "non-transactional": cannot run inside a transaction block
  maintenance,        // "maintenance": REINDEX, VACUUM, CLUSTER, ANALYZE
};

inline constexpr Effect kAllEffects[] = {
    Effect::data_loss, Effect::blocking,          Effect::schema_break, Effect::privilege,
    Effect::opaque,    Effect::non_transactional, Effect::maintenance,
};

std::string_view to_string(Effect effect);
std::optional<Effect> effect_from_string(std::string_view name);

// A small set of effects; iteration follows the order of kAllEffects.
class EffectSet {
 public:
  EffectSet() = default;
  EffectSet(std::initializer_list<Effect> effects) {
    for (Effect e : effects)
      add(e);
  }

  void add(Effect e) { bits_ |= bit(e); }
  void add(EffectSet other) { bits_ |= other.bits_; }
  bool has(Effect e) const { return (bits_ & bit(e)) != 0; }
  bool has_any(EffectSet other) const { return (bits_ & other.bits_) != 0; }
  bool empty() const { return bits_ == 0; }
  std::vector<Effect> list() const;

  friend bool operator==(EffectSet, EffectSet) = default;

 private:
  static std::uint8_t bit(Effect e) { return static_cast<std::uint8_t>(1u << static_cast<int>(e)); }
  std::uint8_t bits_ = 0;
};

}  // namespace safedb::sql
