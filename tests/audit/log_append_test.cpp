#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "audit/audit_fixture.h"

using namespace safedb;
using namespace safedb::audit;
using namespace safedb::audit::test;

namespace {

// Runs `body` in a child process and returns its exit status (-1: killed).
template <typename Body>
int in_child(Body body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(body());
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("the first append starts the log with a log-start record", "[audit]") {
  Fixture f;
  AuditLog writer = f.open_log(f.alice);
  auto appended = writer.append(types::dry_run, {{"target", "prod"}});
  REQUIRE(appended.ok());
  CHECK(appended->seq == 1);
  const std::vector<std::string> lines = read_lines(f.log);
  REQUIRE(lines.size() == 2);
  CHECK(parse_record(lines[0])->type == "log-start");
  CHECK(appended->line_hash == crypto::sha256(lines[1]));
  CHECK(parse_record(lines[1])->prev == line_hash_hex(lines[0]));
}

TEST_CASE("append refuses the record types the log writes itself", "[audit]") {
  Fixture f;
  AuditLog writer = f.open_log(f.alice);
  for (const char* type : {"log-start", "checkpoint", "repair"}) {
    CHECK_FALSE(writer.append(type, nlohmann::json::object()).ok());
  }
  CHECK_FALSE(writer.append("Not A Type", nlohmann::json::object()).ok());
  CHECK_FALSE(writer.append(types::intent, {{"target", "prod"}}).ok());  // no run_id
  CHECK_FALSE(std::filesystem::file_size(f.log) > 0);
}

TEST_CASE("appending after a torn tail is refused until the log is repaired", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 2);
  const std::string torn = "{\"v\":1,\"seq\":5,\"time\":\"20";
  write_bytes(f.log, read_bytes(f.log) + torn);
  AuditLog writer = f.open_log(f.alice);
  auto refused = writer.append(types::dry_run, nlohmann::json::object());
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message(), Catch::Contains("torn tail at line 6"));
  CHECK_THAT(refused.error().message(), Catch::Contains("safedb audit repair"));
  CHECK_FALSE(writer.checkpoint().ok());

  auto repaired = writer.repair_torn_tail();
  REQUIRE(repaired.ok());
  REQUIRE(repaired->has_value());
  CHECK((*repaired)->length == torn.size());
  CHECK(read_bytes((*repaired)->saved_to) == torn);
  const std::vector<std::string> lines = read_lines(f.log);
  CHECK(parse_record(lines.back())->type == "repair");
  REQUIRE(writer.append(types::dry_run, nlohmann::json::object()).ok());
  const VerifyReport report = f.verify();
  INFO(describe(report));
  CHECK(report.intact());

  auto nothing = writer.repair_torn_tail();
  REQUIRE(nothing.ok());
  CHECK_FALSE(nothing->has_value());
}

TEST_CASE("a write that fails part-way is an error and leaves the log as it was", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 1);
  const std::string before = read_bytes(f.log);
  // The child may write only 40 more bytes (a full disk, in effect).
  const int status = in_child([&] {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{before.size() + 40, before.size() + 40};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 3;
    auto writer = AuditLog::open(f.log, f.alice.key, f.alice.principal);
    if (!writer.ok()) return 4;
    auto appended = writer->append(types::dry_run, {{"target", "prod"}});
    if (appended.ok()) return 1;
    return appended.error().message().find("nothing was appended") != std::string::npos ? 0 : 2;
  });
  CHECK(status == 0);
  CHECK(read_bytes(f.log) == before);
  CHECK(f.verify().intact());
}

TEST_CASE("a log on a full device is an error", "[audit]") {
  const auto key = crypto::PrivateKey::generate();
  auto writer = AuditLog::open("/dev/full", key, "alice@example.com");
  REQUIRE(writer.ok());
  auto appended = writer->append(types::dry_run, nlohmann::json::object());
  REQUIRE_FALSE(appended.ok());
  CHECK_THAT(appended.error().message(), Catch::Contains("No space left on device"));
}

TEST_CASE("a log whose folder cannot be created is an error", "[audit]") {
  Fixture f;
  write_bytes(f.dir / "file", "");
  auto writer = AuditLog::open(f.dir / "file/sub/audit.jsonl", f.alice.key, f.alice.principal);
  CHECK_FALSE(writer.ok());
}

TEST_CASE("a log in a folder that refuses writes is an error", "[audit]") {
  Fixture f;
  const std::string locked = f.dir / "locked";
  std::filesystem::create_directory(locked);
  std::filesystem::permissions(
      locked, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  // root ignores permission bits, so the check runs as an unprivileged user.
  const int status = in_child([&] {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return 3;
    auto writer = AuditLog::open(locked + "/audit.jsonl", f.alice.key, f.alice.principal);
    return writer.ok() ? 1 : 0;
  });
  CHECK(status == 0);
}

TEST_CASE("two processes appending at once produce one valid chain", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 1);
  constexpr int kWriters = 3, kRecords = 30;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const Signer& signer = w % 2 == 0 ? f.alice : f.bob;
      auto writer = AuditLog::open(f.log, signer.key, signer.principal);
      if (!writer.ok()) ::_exit(1);
      for (int i = 0; i < kRecords; ++i) {
        if (!writer->append(types::dry_run, {{"writer", w}, {"i", i}}).ok()) ::_exit(2);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  const VerifyReport report = f.verify();
  INFO(describe(report));
  CHECK(report.intact());
  CHECK(report.records == 3 + kWriters * kRecords);
}

TEST_CASE("kill -9 in the middle of appends leaves a log that verifies or has one torn tail",
          "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 1);
  AuditLog repairer = f.open_log(f.alice);
  std::mt19937 random(20240601);
  int torn = 0;
  for (int iteration = 0; iteration < 50; ++iteration) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto writer = AuditLog::open(f.log, f.alice.key, f.alice.principal);
      const std::string padding(2000, 'x');  // larger writes, more chances to tear
      for (int i = 0; writer.ok(); ++i) {
        if (!writer->append(types::dry_run, {{"i", i}, {"padding", padding}}).ok()) ::_exit(2);
      }
      ::_exit(1);
    }
    ::usleep(std::uniform_int_distribution<useconds_t>(1000, 30000)(random));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));

    const VerifyReport report = f.verify();
    INFO("iteration " << iteration << ": " << describe(report));
    if (report.intact()) continue;
    REQUIRE(report.findings.size() == 1);
    REQUIRE(report.findings[0].check == "torn-tail");
    ++torn;
    REQUIRE(repairer.repair_torn_tail().ok());
  }
  const VerifyReport report = f.verify();
  INFO(describe(report) << torn << " torn tails repaired");
  CHECK(report.intact());
  CHECK(report.records > 3);
}

TEST_CASE("each checkpoint appends one signed note to the witness file", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 1);
  f.checkpoint(f.alice);
  f.append_runs(f.bob, 1, "bob");
  f.checkpoint(f.bob);
  REQUIRE(read_lines(f.witness).size() == 2);
  auto note = parse_witness_line(read_lines(f.witness)[1]);
  REQUIRE(note.ok());
  CHECK_THAT(*note, Catch::StartsWith(f.verify().origin + "\n6\n"));
  const VerifyReport report = f.verify(true);
  INFO(describe(report));
  CHECK(report.intact());
  CHECK(report.witness_checkpoints == 2);
  CHECK(report.latest_checkpoint->size == 6);
}

TEST_CASE("checkpoint refuses to seal a log whose chain is broken", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 2);
  std::vector<std::string> lines = read_lines(f.log);
  std::swap(lines[1], lines[2]);
  write_lines(f.log, lines);
  AuditLog writer = f.open_log(f.alice);
  auto written = writer.checkpoint(f.witness);
  REQUIRE_FALSE(written.ok());
  CHECK_THAT(written.error().message(), Catch::Contains("line 2"));
  CHECK_FALSE(std::filesystem::exists(f.witness));
}

TEST_CASE("a witness file with a torn tail is refused", "[audit]") {
  Fixture f;
  f.append_runs(f.alice, 1);
  write_bytes(f.witness, "{\"note\":\"saf");
  AuditLog writer = f.open_log(f.alice);
  auto written = writer.checkpoint(f.witness);
  REQUIRE_FALSE(written.ok());
  CHECK_THAT(written.error().message(), Catch::Contains("torn line"));
}

TEST_CASE("a delegated key checkpoints without a note and cannot write a witness", "[audit]") {
  Fixture f;
  const std::string key_path = f.dir / "id_delegated";
  REQUIRE(f.alice.key.write_openssh(key_path, "alice").ok());
  auto delegated = crypto::PrivateKey::load_delegated(key_path);
  REQUIRE(delegated.ok());
  REQUIRE_FALSE(delegated->native());
  auto writer = AuditLog::open(f.log, *delegated, f.alice.principal);
  REQUIRE(writer.ok());
  REQUIRE(writer->append(types::dry_run, {{"target", "prod"}}).ok());

  auto refused = writer->checkpoint(f.witness);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == ExitCode::usage);
  CHECK(read_lines(f.log).size() == 2);
  CHECK_FALSE(std::filesystem::exists(f.witness));

  auto written = writer->checkpoint();
  REQUIRE(written.ok());
  CHECK_FALSE(written->note.has_value());
  CHECK_FALSE(parse_record(read_lines(f.log).back())->payload.contains("note"));
  const VerifyReport report = f.verify();
  INFO(describe(report));
  CHECK(report.intact());
  CHECK(report.latest_checkpoint->size == 2);
}
