#include "safedb/audit/listing.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <unordered_map>
#include <vector>

#include "safedb/audit/reader.h"

namespace safedb::audit {
namespace {

constexpr std::size_t kSummaryWidth = 72;

std::string string_member(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Listing> read_matching(const std::string& path,
                              const std::function<bool(const ListedRecord&)>& wanted) {
  auto reader = LogReader::open(path);
  if (!reader) return reader.error();
  Listing listing;
  ListingBuilder builder;
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
    ListedRecord listed = builder.add(line->number, std::move(record).value());
    if (wanted(listed)) listing.records.push_back(std::move(listed));
  }
  return listing;
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

ListedRecord ListingBuilder::add(std::size_t line, Record record) {
  ListedRecord listed{line, std::move(record), {}};
  listed.target = target_of(listed.record);
  const std::string run_id = string_member(listed.record.payload, "run_id");
  if (!run_id.empty()) {
    if (listed.target.empty()) {
      listed.target = run_targets_[run_id];
    } else {
      run_targets_[run_id] = listed.target;
    }
  }
  return listed;
}

std::string target_of(const Record& record) {
  const auto target = record.payload.find("target");
  if (target == record.payload.end()) return {};
  if (target->is_string()) return target->get<std::string>();
  return target->is_object() ? string_member(*target, "name") : std::string();
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
  // Made up from the conventional fields, else the payload itself.
  std::vector<std::string> parts;
  // Break-glass goes first, in capitals: nobody may overlook it in a listing.
  if (const auto glass = p.find("break_glass"); glass != p.end() && glass->is_object()) {
    parts.push_back(fmt::format("BREAK-GLASS by {}: {}", string_member(*glass, "principal"),
                                string_member(*glass, "reason")));
  }
  if (std::string run_id = string_member(p, "run_id"); !run_id.empty())
    parts.push_back("run " + run_id);
  for (const char* name : {"result", "status"}) {
    if (std::string value = string_member(p, name); !value.empty()) parts.push_back(value);
  }
  if (const auto file = p.find("file"); file != p.end()) {
    std::string path = file->is_string() ? file->get<std::string>()
                                         : (file->is_object() ? string_member(*file, "path") : "");
    if (!path.empty()) parts.push_back(path);
  }
  if (const auto statements = p.find("statements");
      statements != p.end() && statements->is_array()) {
    parts.push_back(fmt::format("{} statements", statements->size()));
  }
  if (parts.empty()) {
    nlohmann::json rest = p;
    rest.erase("target");
    return rest.empty() ? std::string() : rest.dump();
  }
  std::string summary;
  for (const std::string& part : parts)
    summary += (summary.empty() ? "" : ", ") + part;
  return summary;
}

Result<Listing> list_records(const std::string& path, const ListFilter& filter) {
  return read_matching(path, [&](const ListedRecord& listed) {
    const Record& r = listed.record;
    return (!filter.since || r.unix_time >= *filter.since) &&
           (!filter.type || r.type == *filter.type) &&
           (!filter.actor || r.actor == *filter.actor) &&
           (!filter.target || listed.target == *filter.target);
  });
}

Result<Listing> find_records(const std::string& path, std::string_view id) {
  std::uint64_t seq = 0;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), seq);
  if (!id.empty() && ec == std::errc() && end == id.data() + id.size()) {
    return read_matching(path,
                         [&](const ListedRecord& listed) { return listed.record.seq == seq; });
  }
  return read_matching(path, [&](const ListedRecord& listed) {
    return string_member(listed.record.payload, "run_id") == id;
  });
}

std::string render_table(const std::vector<ListedRecord>& records) {
  static constexpr std::array<const char*, 6> kHeader = {"SEQ",  "TIME",   "ACTOR",
                                                         "TYPE", "TARGET", "SUMMARY"};
  std::vector<std::array<std::string, 6>> rows;
  rows.push_back({kHeader[0], kHeader[1], kHeader[2], kHeader[3], kHeader[4], kHeader[5]});
  for (const ListedRecord& listed : records) {
    const Record& r = listed.record;
    rows.push_back({std::to_string(r.seq), r.time, r.actor, r.type, listed.target,
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
    if (!listed.target.empty()) out += fmt::format("  target   {}\n", listed.target);
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
                   {"target", listed.target},
                   {"summary", summary_of(r)},
                   {"payload", r.payload}});
  }
  return out;
}

}  // namespace safedb::audit
