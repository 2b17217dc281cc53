#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "safedb/sql/analysis.h"

namespace safedb::sql {

// Where effects, objects and locks of the code being classified go. A
// top-level statement has its own; a function body has a private one (its
// effects apply where the function is called, not where it is created).
struct Sink {
  EffectSet effects;
  std::vector<std::string> objects;
  LockMode lock = LockMode::none;         // strongest of `locks` and unnamed locks
  std::map<std::string, LockMode> locks;  // existing relation -> strongest lock on it
  bool transaction_control = false;       // see Statement::transaction_control
};

// What the analyser has learnt from the statements above the current one.
// It is what lets `CREATE TABLE t …; CREATE INDEX ON t …` pass without a
// blocking finding: t did not exist before this file.
struct FileState {
  std::unordered_set<std::string> created_relations;  // "schema.name" created earlier in the file
  std::map<std::string, Sink> prepared;               // PREPARE name -> what its statement does
  std::map<std::string, Sink> functions;  // lower-case function name -> what its body does
  bool lock_timeout_set = false;
  bool statement_timeout_set = false;
  bool timeout_finding_reported = false;  // require-timeout-settings is reported once per file
  int transaction_depth = 0;              // explicit BEGIN ... COMMIT nesting
  int nesting = 0;                        // current depth of the parse-tree walk
  bool too_deep_reported = false;
};

// Parse trees nested deeper than this (e.g. `1+1+...` with thousands of terms)
// are not walked further, so that no input can exhaust the stack; what lies
// below is treated as opaque.
inline constexpr int kMaxNestingDepth = 1000;

// The classification of one top-level statement in progress, possibly inside
// a nested fragment (a PL/pgSQL body or an EXECUTE string) that starts at
// byte `base` of the source. Node locations are relative to the fragment.
class Scope {
 public:
  // `text` is the fragment being classified (for a top-level statement, the
  // whole file), and `base` the source offset of its first byte.
  Scope(const Source& source, FileState& file, Sink& sink, std::vector<Finding>& findings,
        std::string_view text, std::size_t base, std::size_t fallback_offset, int depth)
      : source_(source),
        file_(file),
        sink_(sink),
        findings_(findings),
        text_(text),
        base_(base),
        fallback_offset_(fallback_offset),
        depth_(depth) {}

  // A scope for a fragment `text` whose first byte is at source offset `base`.
  Scope fragment(std::string_view text, std::size_t base) const {
    return Scope(source_, file_, sink_, findings_, text, base, base, depth_ + 1);
  }
  // The same, with effects, objects and locks going to `sink` instead.
  Scope fragment(std::string_view text, std::size_t base, Sink& sink) const {
    return Scope(source_, file_, sink, findings_, text, base, base, depth_ + 1);
  }
  // This scope with another sink (same fragment): for code that runs later,
  // such as a function body or a prepared statement.
  // This scope with its own sink and findings: for code that is only planned
  // here (EXPLAIN) or only read for its locks (a view's query).
  Scope isolated(Sink& sink, std::vector<Finding>& findings) const {
    Scope scope(source_, file_, sink, findings, text_, base_, fallback_offset_, depth_);
    scope.statement_ = statement_;
    return scope;
  }
  Scope redirected(Sink& sink) const {
    Scope scope(source_, file_, sink, findings_, text_, base_, fallback_offset_, depth_);
    scope.statement_ = statement_;
    return scope;
  }

  // The text of the statement being classified, within the fragment; set by
  // whoever walks a list of statements. Empty while unknown.
  void set_statement(std::string_view statement) { statement_ = statement; }
  std::string_view statement() const { return statement_; }
  // The fragment being classified; node locations index into it.
  std::string_view text() const { return text_; }

  void add(Effect effect) { sink_.effects.add(effect); }
  void add(EffectSet effects) { sink_.effects.add(effects); }
  void mark_transaction_control() { sink_.transaction_control = true; }
  void add_object(const std::string& name);
  // Records a lock on a relation; relations created earlier in the file are
  // not "existing", so their locks neither count as blocking nor as `lock`.
  void lock(LockMode mode, const std::string& relation);
  // A lock on relations the statement does not name (VACUUM without a table
  // locks every table in turn).
  void lock_unnamed(LockMode mode);
  // Takes every lock recorded in `other` (code that runs or is planned here).
  void take_locks(const Sink& other);
  bool existing(const std::string& relation) const {
    return file_.created_relations.count(relation) == 0;
  }
  // Reports a finding of `rule` (severity and help from the rule table) at a
  // node location relative to this fragment; -1 means the statement start.
  void report(std::string_view rule, int location, std::string message);

  FileState& file() { return file_; }
  const Source& source() const { return source_; }
  std::size_t base() const { return base_; }
  int depth() const { return depth_; }
  const Sink& sink() const { return sink_; }

 private:
  const Source& source_;
  FileState& file_;
  Sink& sink_;
  std::vector<Finding>& findings_;
  std::string_view text_;
  std::string_view statement_;
  std::size_t base_;
  std::size_t fallback_offset_;
  int depth_;
};

// Nested fragments deeper than this are not analysed but reported as opaque.
inline constexpr int kMaxFragmentDepth = 8;

}  // namespace safedb::sql
