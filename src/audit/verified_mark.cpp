#include "audit/verified_mark.h"

#include <fmt/format.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>

#include "safedb/audit/record.h"
#include "safedb/crypto/hash.h"
#include "safedb/crypto/sshsig.h"
#include "safedb/util/utc_time.h"

namespace safedb::audit {
namespace {

// What the signature covers: every field that decides what is vouched for.
// Never valid JSON, so it can never be taken for a record's signed bytes.
std::string signed_text(std::uint64_t lines, std::uint64_t bytes, const std::string& sha256,
                        const std::string& signers_sha256) {
  return fmt::format("safedb verified mark v1\nlines {}\nbytes {}\nsha256 {}\nallowed_signers {}\n",
                     lines, bytes, sha256, signers_sha256);
}

// SHA-256 (hex) of the first `bytes` bytes of `path`; nullopt if it is shorter.
std::optional<std::string> prefix_sha256(const std::string& path, std::uint64_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  crypto::Sha256Stream hash;
  std::string buffer(1 << 20, '\0');
  std::uint64_t left = bytes;
  while (left > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
    in.read(buffer.data(), static_cast<std::streamsize>(want));
    if (static_cast<std::size_t>(in.gcount()) != want) return std::nullopt;
    hash.update(std::string_view(buffer.data(), want));
    left -= want;
  }
  return crypto::to_hex(hash.finish());
}

}  // namespace

std::string mark_path(const std::string& log_path) {
  return log_path + ".verified";
}

std::uint64_t vouched_lines(const std::string& log_path, const crypto::AllowedSigners& signers) {
  std::ifstream in(mark_path(log_path), std::ios::binary);
  if (!in) return 0;
  const nlohmann::json mark = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!mark.is_object() || mark.value("version", 0) != 1) return 0;
  const nlohmann::json& lines = mark["lines"];
  const nlohmann::json& bytes = mark["bytes"];
  const nlohmann::json& sha256 = mark["sha256"];
  const nlohmann::json& signers_sha256 = mark["allowed_signers_sha256"];
  const nlohmann::json& signature = mark["signature"];
  if (!lines.is_number_unsigned() || !bytes.is_number_unsigned() || !sha256.is_string() ||
      !signers_sha256.is_string() || !signature.is_string())
    return 0;
  // Made under other trust anchors (a key removed since, say): check everything again.
  if (signers_sha256.get<std::string>() != signers.digest()) return 0;
  const std::string text =
      signed_text(lines.get<std::uint64_t>(), bytes.get<std::uint64_t>(), sha256.get<std::string>(),
                  signers_sha256.get<std::string>());
  Result<crypto::PublicKey> key = crypto::verify(signature.get<std::string>(), text, kNamespace);
  if (!key || !signers.principals_for(*key, kNamespace, util::now_unix())) return 0;
  if (prefix_sha256(log_path, bytes.get<std::uint64_t>()) != sha256.get<std::string>()) return 0;
  return lines.get<std::uint64_t>();
}

void write_mark(const VerifyReport& report, const crypto::AllowedSigners& signers,
                const crypto::PrivateKey& key) {
  if (!key.native() || report.records == 0) return;
  const std::string sha256 = crypto::to_hex(report.sha256);
  const std::string signers_sha256 = signers.digest();
  Result<crypto::Signature> signature = crypto::sign(
      key, signed_text(report.records, report.bytes, sha256, signers_sha256), kNamespace);
  if (!signature) return;
  const nlohmann::json mark = {{"version", 1},
                               {"lines", report.records},
                               {"bytes", report.bytes},
                               {"sha256", sha256},
                               {"allowed_signers_sha256", signers_sha256},
                               {"key", key.public_key().fingerprint()},
                               {"time", util::format_utc(util::now_unix())},
                               {"signature", signature->base64()}};
  // Written aside and renamed, so a reader sees the old mark or the new one.
  const std::string path = mark_path(report.log_path);
  const std::string temp = fmt::format("{}.{}.tmp", path, ::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << mark.dump() << '\n';
    if (!out.flush()) {
      std::remove(temp.c_str());
      return;
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) std::remove(temp.c_str());
}

}  // namespace safedb::audit
