#pragma once

// Internal to the snapshot module: where a sequence stands, which ALTER
// SEQUENCE ... RESTART moves without dropping anything, and TRUNCATE ...
// RESTART IDENTITY moves for the sequences its tables own
// (docs/snapshots.md, "Sequence positions"). A restore puts a sequence back
// only forward: values handed out since it moved may be in use.

#include <optional>
#include <string>

#include "safedb/db/connection.h"
#include "safedb/snapshot/snapshot.h"
#include "safedb/util/result.h"

namespace safedb::snapshot {

// Where sequence `name` (an SQL name, as a statement writes it) stands, as
// "next value N, increment I": N is what nextval() gives next (after the
// last value of a cycle, the first again). nullopt when there is no such
// sequence. Needs SELECT on the sequence.
Result<std::optional<std::string>> sequence_value(db::Connection& conn, const std::string& name);

// The object a snapshot saves before statement `statement` moves sequence
// `name`: kind "sequence value", the sequence's qualified name, its schema,
// sequence_value() as the definition, and sequence_forward_sql() as the
// statement that puts it back. An input error when the sequence does not
// exist.
Result<SavedObject> read_sequence_value(db::Connection& conn, int statement,
                                        const std::string& name);

// Whether position `now` is past position `saved` (both as sequence_value()
// prints them): further in the direction the sequence counts.
bool sequence_ahead(const std::string& now, const std::string& saved);

// The next value of a position, as text ("" when it is not one).
std::string sequence_next(const std::string& position);

// The statement that moves sequence `name` (an SQL name) forward to
// `position` (as sequence_value() prints it) and leaves it where it is when
// it is there or past it already. The comparison is made as the statement
// runs, not when the restore was planned: a sequence that handed out values
// beyond the position in between (while the restore waited for its
// confirmation, say) never goes back. A SELECT of setval(), which a
// snapshot saves like any; "" when `position` is not one.
std::string sequence_forward_sql(const std::string& name, const std::string& position);

}  // namespace safedb::snapshot
