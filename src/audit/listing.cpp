#include "safedb/audit/listing.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>

#include "safedb/audit/reader.h"

namespace safedb::audit {
namespace {

constexpr std::size_t kSummaryWidth = 72;

Result<Listing> read_matching(const std::string& path,
                              const std::function<bool(const Record&)>& wanted) {
  auto reader = LogReader::open(path);
  if (!reader) return reader.error();
  Listing listing;
  while (std::optional<LogLine> line = reader->next()) {
    if (!line->complete) {
      listing.unreadable.push_back(fmt::format("line {}: torn tail ({} bytes without newline)",
                                               line->number, line->bytes.size()));
      break;
    }
    auto record = parse_record(line->bytes);
    if (!record) {
      listing.unreadable.push_back(
          fmt::format("line {}: {}", line->number, record.error().message()));
      continue;
    }
    if (wanted(*record)) listing.records.push_back({line->number, std::move(record).value()});
  }
  return listing;
}

std::string string_member(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Cuts `text` to `width` code points, marking the cut with an ellipsis.
std::string clip(const std::string& text, std::size_t width) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (++points > width) return text.substr(0, i) + "…";
  }
  return text;
}

std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

std::string target_of(const Record& record) {
  return string_member(record.payload, "target");
}

std::string summary_of(const Record& record) {
  const nlohmann::json& p = record.payload;
  if (std::string summary = string_member(p, "summary"); !summary.empty()) return summary;
  if (record.type == types::log_start) return fmt::format("log {}", string_member(p, "log_id"));
  if (record.type == types::checkpoint) {
    return fmt::format("size {} root {}{}", p["size"].get<std::uint64_t>(),
                       string_member(p, "root"), p.contains("note") ? "" : " (no note)");
  }
  if (record.type == types::repair) {
    return fmt::format("cut {} torn bytes off at byte {}", p.value("bytes", 0),
                       p.value("offset", 0));
  }
  nlohmann::json rest = p;
  rest.erase("target");
  std::string summary =
      string_member(p, "run_id").empty() ? "" : "run " + string_member(p, "run_id");
  rest.erase("run_id");
  if (!rest.empty()) summary += (summary.empty() ? "" : " ") + rest.dump();
  return summary;
}

Result<Listing> list_records(const std::string& path, const ListFilter& filter) {
  return read_matching(path, [&](const Record& r) {
    return (!filter.since || r.unix_time >= *filter.since) &&
           (!filter.type || r.type == *filter.type) &&
           (!filter.actor || r.actor == *filter.actor) &&
           (!filter.target || target_of(r) == *filter.target);
  });
}

Result<Listing> find_records(const std::string& path, std::string_view id) {
  std::uint64_t seq = 0;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), seq);
  if (!id.empty() && ec == std::errc() && end == id.data() + id.size()) {
    return read_matching(path, [&](const Record& r) { return r.seq == seq; });
  }
  return read_matching(path,
                       [&](const Record& r) { return string_member(r.payload, "run_id") == id; });
}

std::string render_table(const std::vector<ListedRecord>& records) {
  static constexpr std::array<const char*, 6> kHeader = {"SEQ",  "TIME",   "ACTOR",
                                                         "TYPE", "TARGET", "SUMMARY"};
  std::vector<std::array<std::string, 6>> rows;
  rows.push_back({kHeader[0], kHeader[1], kHeader[2], kHeader[3], kHeader[4], kHeader[5]});
  for (const ListedRecord& listed : records) {
    const Record& r = listed.record;
    rows.push_back({std::to_string(r.seq), r.time, r.actor, r.type, target_of(r),
                    clip(summary_of(r), kSummaryWidth)});
  }
  std::array<std::size_t, 6> width{};
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], display_width(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - display_width(row[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string render_details(const std::vector<ListedRecord>& records) {
  std::string out;
  for (const ListedRecord& listed : records) {
    const Record& r = listed.record;
    if (!out.empty()) out += "\n";
    out += fmt::format("seq {} (line {})\n", r.seq, listed.line);
    out += fmt::format("  time     {}\n  type     {}\n  actor    {}\n  key      {}\n", r.time,
                       r.type, r.actor, r.key);
    if (std::string target = target_of(r); !target.empty())
      out += fmt::format("  target   {}\n", target);
    out += fmt::format("  prev     {}\n  payload  ", r.prev);
    std::string payload = r.payload.dump(2);
    for (char c : payload) {
      out += c;
      if (c == '\n') out += "  ";
    }
    out += "\n";
  }
  return out;
}

nlohmann::json listing_json(const std::vector<ListedRecord>& records) {
  nlohmann::json out = nlohmann::json::array();
  for (const ListedRecord& listed : records) {
    const Record& r = listed.record;
    out.push_back({{"line", listed.line},
                   {"seq", r.seq},
                   {"time", r.time},
                   {"type", r.type},
                   {"actor", r.actor},
                   {"key", r.key},
                   {"target", target_of(r)},
                   {"summary", summary_of(r)},
                   {"payload", r.payload}});
  }
  return out;
}

}  // namespace safedb::audit
