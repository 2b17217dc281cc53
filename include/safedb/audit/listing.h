#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "safedb/audit/record.h"
#include "safedb/util/result.h"

namespace safedb::audit {

// Reading the log for people: `audit list` and `audit show`. Nothing here
// checks signatures or the chain; that is verify's job.

struct ListedRecord {
  std::size_t line = 0;
  Record record;
  std::string target;  // target_of(record), or that of its run's intent
};

struct Listing {
  std::vector<ListedRecord> records;
  std::vector<std::string> unreadable;  // "line N: why", torn tail included
};

// Turns records read in log order into ListedRecords: a record without a
// target of its own gets that of its run's intent.
class ListingBuilder {
 public:
  ListedRecord add(std::size_t line, Record record);

 private:
  std::unordered_map<std::string, std::string> run_targets_;  // run_id -> its intent's target
};

// Which records `audit list` shows; unset fields match everything.
struct ListFilter {
  std::optional<std::int64_t> since;  // at or after, unix seconds
  std::optional<std::string> type;
  std::optional<std::string> actor;
  std::optional<std::string> target;  // ListedRecord::target
};

Result<Listing> list_records(const std::string& path, const ListFilter& filter);
// The record with seq `id` if it is a number, else every record whose payload
// "run_id" is `id` (intent, outcome and whatever else the run wrote).
Result<Listing> find_records(const std::string& path, std::string_view id);

// Conventional payload fields: "target" (the database a record is about: a
// name, or an object with a "name"), "run_id", and "summary" (one line for
// people); a summary is made up from the payload when there is none.
std::string target_of(const Record& record);
std::string summary_of(const Record& record);

std::string render_table(const std::vector<ListedRecord>& records);
std::string render_details(const std::vector<ListedRecord>& records);
nlohmann::json listing_json(const std::vector<ListedRecord>& records);

}  // namespace safedb::audit
