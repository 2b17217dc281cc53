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
  Result<VerifyReport> report =
      verify_log({log_path, std::nullopt, 0, vouched_lines(log_path, signers)}, signers);
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
  Result<Listing> listing = list_records(log_path, ListFilter{});
  if (!listing) return Error(ExitCode::no, listing.error().message());
  // Records appended since the verification above are not evidence yet.
  std::vector<ListedRecord>& records = listing->records;
  std::erase_if(records, [&](const ListedRecord& r) { return r.line > report->records; });
  return std::move(records);
}

}  // namespace safedb::audit
