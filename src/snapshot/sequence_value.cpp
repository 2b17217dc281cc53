// Where a sequence stands (snapshot/sequence_value.h).
#include "snapshot/sequence_value.h"

#include <fmt/format.h>

#include <charconv>

#include "safedb/util/sql_quote.h"

namespace safedb::snapshot {
namespace {

// The sequence's own row holds whether its last value was handed out
// (pg_sequence_last_value() gives NULL for both a new sequence and one
// restarted at a value, which start where they say).
constexpr const char* kPosition = R"sql(
  SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname,
         'next value ' ||
           CASE WHEN NOT s.is_called THEN s.last_value
                WHEN s.last_value::numeric + q.seqincrement BETWEEN q.seqmin AND q.seqmax
                  THEN s.last_value + q.seqincrement
                WHEN q.seqcycle AND q.seqincrement > 0 THEN q.seqmin
                WHEN q.seqcycle THEN q.seqmax
                ELSE s.last_value END ||
           ', increment ' || q.seqincrement
    FROM {0} s, pg_sequence q
    JOIN pg_class c ON c.oid = q.seqrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE q.seqrelid = to_regclass({1}))sql";

// The numbers of "next value N, increment I".
bool parse(const std::string& position, long long& next, long long& increment) {
  const std::string a = "next value ";
  const std::string b = ", increment ";
  const std::size_t comma = position.find(b);
  if (position.rfind(a, 0) != 0 || comma == std::string::npos) return false;
  const char* n = position.data() + a.size();
  const char* i = position.data() + comma + b.size();
  return std::from_chars(n, position.data() + comma, next).ec == std::errc() &&
         std::from_chars(i, position.data() + position.size(), increment).ec == std::errc();
}

Result<db::QueryResult> position_of(db::Connection& conn, const std::string& name) {
  // The relation is named in FROM, so it must exist first.
  Result<db::QueryResult> exists =
      conn.exec(fmt::format("SELECT 1 FROM pg_class WHERE oid = to_regclass({}) AND relkind = 'S'",
                            util::quote_literal(name)));
  if (!exists) return exists.error().within("cannot read where the sequence stands");
  if (exists->rows.empty()) return db::QueryResult{};
  Result<db::QueryResult> r =
      conn.exec(fmt::format(fmt::runtime(kPosition), name, util::quote_literal(name)));
  if (!r) return r.error().within("cannot read where the sequence stands");
  return r;
}

}  // namespace

Result<std::optional<std::string>> sequence_value(db::Connection& conn, const std::string& name) {
  Result<db::QueryResult> r = position_of(conn, name);
  if (!r) return r.error();
  if (r->rows.empty() || !r->at(0, 2)) return std::optional<std::string>();
  return std::optional<std::string>(*r->at(0, 2));
}

Result<SavedObject> read_sequence_value(db::Connection& conn, int statement,
                                        const std::string& name) {
  Result<db::QueryResult> r = position_of(conn, name);
  if (!r) return r.error();
  if (r->rows.empty() || !r->at(0, 2))
    return Error::input(fmt::format("sequence {} does not exist", name));
  SavedObject o;
  o.statement = statement;
  o.kind = "sequence value";
  o.name = r->at(0, 0).value_or("");
  o.schema = r->at(0, 1).value_or("");
  o.definition = *r->at(0, 2);
  o.sql = {sequence_forward_sql(o.name, o.definition)};
  return o;
}

bool sequence_ahead(const std::string& now, const std::string& saved) {
  long long now_next = 0, saved_next = 0, increment = 0, ignored = 0;
  if (!parse(now, now_next, increment) || !parse(saved, saved_next, ignored)) return false;
  return increment > 0 ? now_next > saved_next : now_next < saved_next;
}

std::string sequence_next(const std::string& position) {
  long long next = 0, increment = 0;
  return parse(position, next, increment) ? std::to_string(next) : std::string();
}

std::string sequence_forward_sql(const std::string& name, const std::string& position) {
  long long next = 0, increment = 0;
  if (!parse(position, next, increment) || increment == 0) return "";
  // Where it stands now, as sequence_value() reads it (numeric: the last
  // value of a sequence at its maximum plus its increment overflows).
  return fmt::format(
      "SELECT pg_catalog.setval({}, {}, false) FROM {} WHERE CASE WHEN is_called THEN "
      "last_value::numeric + {} ELSE last_value END {} {}",
      util::quote_literal(name), next, name, increment, increment > 0 ? "<" : ">", next);
}

}  // namespace safedb::snapshot
