// Reading the log as evidence: only after it verified.
#include <fmt/format.h>

#include <filesystem>

#include "audit/verified_mark.h"
#include "safedb/audit/listing.h"
#include "safedb/audit/verify.h"

namespace safedb::audit {

Result<std::vector<ListedRecord>> trusted_records(const std::string& log_path,
                                                  const crypto::AllowedSigners& signers,
                                                  const crypto::PrivateKey* mark_key) {
  std::error_code ec;
  if (!std::filesystem::exists(log_path, ec) || std::filesystem::file_size(log_path, ec) == 0)
    return std::vector<ListedRecord>{};  // no records yet: no evidence, and nothing wrong
  // The records as verify parsed them: exactly those verified, read once.
  std::vector<ListedRecord> records;
  ListingBuilder listing;
  VerifyOptions options{log_path, std::nullopt, 0, vouched_lines(log_path, signers), {}};
  options.on_record = [&](std::size_t line, Record&& record) {
    records.push_back(listing.add(line, std::move(record)));
  };
  Result<VerifyReport> report = verify_log(options, signers);
  if (!report) return Error(ExitCode::no, report.error().message());
  for (const Finding& f : report->findings) {
    if (f.check != "incomplete-run") {
      return Error(ExitCode::no,
                   fmt::format("the audit log {} does not verify ({} at line {}); run safedb "
                               "audit verify",
                               log_path, f.check, f.line));
    }
  }
  // Only records that grew since need their signatures checked next time.
  if (mark_key != nullptr && report->signatures_verified > report->signatures_vouched)
    write_mark(*report, signers, *mark_key);
  return records;
}

}  // namespace safedb::audit
