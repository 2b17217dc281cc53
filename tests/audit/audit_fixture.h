#pragma once

// Helpers for the audit tests: a scratch folder holding a log, signers with
// their allowed_signers lines, and ways to rewrite a log as an attacker would.

#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "safedb/audit/log.h"
#include "safedb/audit/record.h"
#include "safedb/audit/verify.h"
#include "safedb/crypto/allowed_signers.h"
#include "safedb/crypto/keys.h"

namespace safedb::audit::test {

class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/safedb-audit-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    REQUIRE(::mkdtemp(buffer.data()) != nullptr);
    path_ = buffer.data();
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  REQUIRE(out);
  out << bytes;
}

// The log's lines without their newlines (a torn tail is dropped).
inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_bytes(path));
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

inline void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string bytes;
  for (const std::string& line : lines)
    bytes += line + "\n";
  write_bytes(path, bytes);
}

// A key and the principal allowed_signers gives it.
struct Signer {
  std::string principal;
  crypto::PrivateKey key = crypto::PrivateKey::generate();
  std::string options = "namespaces=\"safedb-audit\"";

  std::string allowed_line() const {
    return principal + " " + options + " " + key.public_key().openssh() + "\n";
  }
};

// A scratch folder with a log written by alice, an allowed_signers file that
// trusts alice and bob, and a witness file path.
struct Fixture {
  ScratchDir dir;
  Signer alice{"alice@example.com"};
  Signer bob{"bob@example.com"};
  std::string log = dir / "audit.jsonl";
  std::string witness = dir / "witness.jsonl";
  std::string signers_path = dir / "allowed_signers";

  Fixture() { write_signers({&alice, &bob}); }

  void write_signers(const std::vector<const Signer*>& signers) {
    std::string text;
    for (const Signer* signer : signers)
      text += signer->allowed_line();
    write_bytes(signers_path, text);
  }

  AuditLog open_log(const Signer& signer) {
    auto log_writer = AuditLog::open(log, signer.key, signer.principal);
    REQUIRE(log_writer.ok());
    return std::move(log_writer).value();
  }

  // Appends `runs` complete runs (intent and outcome) by `signer`.
  void append_runs(const Signer& signer, int runs, const std::string& prefix = "run") {
    AuditLog writer = open_log(signer);
    for (int i = 0; i < runs; ++i) {
      const std::string run_id = prefix + "-" + std::to_string(i);
      REQUIRE(writer.append(types::intent, {{"run_id", run_id}, {"target", "prod"}}).ok());
      REQUIRE(writer.append(types::outcome, {{"run_id", run_id}, {"status", "ok"}}).ok());
    }
  }

  void checkpoint(const Signer& signer, bool to_witness = true) {
    AuditLog writer = open_log(signer);
    auto written =
        writer.checkpoint(to_witness ? std::optional<std::string>(witness) : std::nullopt);
    INFO((written.ok() ? std::string() : written.error().message()));
    REQUIRE(written.ok());
  }

  VerifyReport verify(bool with_witness = false) {
    auto signers = crypto::AllowedSigners::load(signers_path);
    REQUIRE(signers.ok());
    VerifyOptions options;
    options.log_path = log;
    if (with_witness) options.witness_path = witness;
    auto report = verify_log(options, *signers);
    INFO((report.ok() ? std::string() : report.error().message()));
    REQUIRE(report.ok());
    return std::move(report).value();
  }
};

// Whether the report has a finding from `check` at `line` of the log (or the witness).
inline bool has_finding(const VerifyReport& report, const std::string& check, std::size_t line,
                        Finding::File file = Finding::File::log) {
  return std::any_of(report.findings.begin(), report.findings.end(), [&](const Finding& f) {
    return f.check == check && f.line == line && f.file == file;
  });
}

inline std::string describe(const VerifyReport& report) {
  return render_text(report);
}

// Re-signs a stored line after `edit` changed its fields, as someone holding
// `key` could: the result is a well-formed, validly signed line.
template <typename Edit>
std::string resign(const std::string& line, const crypto::PrivateKey& key, Edit edit) {
  auto record = parse_record(line);
  REQUIRE(record.ok());
  Record draft = std::move(record).value();
  edit(draft);
  auto signed_line = sign_record(draft, key);
  REQUIRE(signed_line.ok());
  return std::move(signed_line).value();
}

}  // namespace safedb::audit::test
