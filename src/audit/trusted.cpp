// Reading the log as evidence: only after it verified.
#include <fmt/format.h>

#include <filesystem>

#include "safedb/audit/listing.h"
#include "safedb/audit/verify.h"

namespace safedb::audit {

Result<std::vector<ListedRecord>> trusted_records(const std::string& log_path,
                                                  const crypto::AllowedSigners& signers) {
  std::error_code ec;
  if (!std::filesystem::exists(log_path, ec) || std::filesystem::file_size(log_path, ec) == 0)
    return std::vector<ListedRecord>{};  // no records yet: no evidence, and nothing wrong
  Result<VerifyReport> report = verify_log({log_path, std::nullopt, 0}, signers);
  if (!report) return Error(ExitCode::no, report.error().message());
  for (const Finding& f : report->findings) {
    if (f.check != "incomplete-run") {
      return Error(ExitCode::no,
                   fmt::format("the audit log {} does not verify ({} at line {}); run safedb "
                               "audit verify",
                               log_path, f.check, f.line));
    }
  }
  Result<Listing> listing = list_records(log_path, ListFilter{});
  if (!listing) return Error(ExitCode::no, listing.error().message());
  return std::move(listing->records);
}

}  // namespace safedb::audit
