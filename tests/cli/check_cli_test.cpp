#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "support/cli_runner.h"
#include "support/server_process.h"

using nlohmann::json;
using safedb::test::run_safedb;
using safedb::test::TempDir;

namespace {

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("check exits 0 for a harmless file and 1 for an error finding", "[cli]") {
  TempDir dir;
  auto clean =
      run_safedb({"check", dir.write("ok.sql", "CREATE TABLE t (id bigint);\nSELECT 1;\n")});
  CHECK(clean.exit_code == 0);
  CHECK(clean.err.empty());
  auto bad = run_safedb({"check", dir.write("bad.sql", "DELETE FROM messages;\n")});
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("bad.sql:1:1: error[unbounded-delete]") != std::string::npos);
}

TEST_CASE("--fail-on sets the severity that fails the check", "[cli]") {
  TempDir dir;
  const std::string warn = dir.write("w.sql", "DELETE FROM sessions WHERE id = 1;\n");
  CHECK(run_safedb({"check", warn}).exit_code == 0);
  CHECK(run_safedb({"check", "--fail-on", "warning", warn}).exit_code == 1);
  const std::string err = dir.write("e.sql", "TRUNCATE t;\n");
  CHECK(run_safedb({"check", "--fail-on", "none", err}).exit_code == 0);
  auto unknown = run_safedb({"check", "--fail-on", "fatal", err});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err == "safedb: error: unknown --fail-on 'fatal' (error, warning, info, none)\n");
}

TEST_CASE("a suppressed error does not fail the check but is shown with its reason", "[cli]") {
  TempDir dir;
  auto r = run_safedb(
      {"check",
       dir.write("s.sql", "-- safedb:ignore ban-truncate reloaded nightly\nTRUNCATE staging;\n")});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("suppressed[ban-truncate]") != std::string::npos);
  CHECK(r.out.find("reloaded nightly") != std::string::npos);
}

TEST_CASE("unreadable input gets one line naming the file and exit 2", "[cli]") {
  TempDir dir;
  struct Case {
    std::string path;
    std::string expected;
  };
  for (const Case& c : {
           Case{dir.path() + "/missing.sql", "missing.sql: cannot read: No such file or directory"},
           Case{dir.write("empty.sql", ""), "empty.sql: file is empty"},
           Case{dir.write("bin.sql", std::string("\x7f"
                                                 "ELF\0\0\0",
                                                 7)),
                "bin.sql:1:5: binary file (NUL byte)"},
           Case{dir.write("latin1.sql", "SELECT 'd\xe9j\xe0';\n"),
                "latin1.sql:1:10: invalid UTF-8"},
           Case{dir.write("broken.sql", "SELECT 1;\nDELET FROM t;\n"),
                "broken.sql:2:1: parse error: syntax error at or near \"DELET\""},
           Case{dir.path(), "is a directory"},
       }) {
    INFO(c.path);
    auto r = run_safedb({"check", c.path});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.rfind("safedb: error: ", 0) == 0);
    CHECK(r.err.find(c.expected) != std::string::npos);
  }
}

TEST_CASE("every bad file is reported before check fails", "[cli]") {
  TempDir dir;
  auto r = run_safedb({"check", dir.write("a.sql", "SELEC 1;"), dir.write("ok.sql", "SELECT 1;"),
                       dir.write("b.sql", "")});
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.err) == 2);
  CHECK(r.err.find("a.sql:1:1: parse error") != std::string::npos);
  CHECK(r.err.find("b.sql: file is empty") != std::string::npos);
}

TEST_CASE("usage errors exit 2", "[cli]") {
  CHECK(run_safedb({"check"}).exit_code == 2);
  CHECK(run_safedb({"check", "--format", "xml", "x.sql"}).exit_code == 2);
  CHECK(run_safedb({"frobnicate"}).exit_code == 2);
  CHECK(run_safedb({}).exit_code == 2);
}

TEST_CASE("--version names the PostgreSQL grammar", "[cli]") {
  auto r = run_safedb({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PostgreSQL 17") != std::string::npos);
}

TEST_CASE("check reads standard input from '-'", "[cli]") {
  auto r = run_safedb({"check", "--format", "json", "-"}, "DROP TABLE users;\n");
  CHECK(r.exit_code == 1);
  json doc = json::parse(r.out);
  CHECK(doc["files"][0]["path"] == "<stdin>");
}

TEST_CASE("the JSON report has the documented shape", "[cli]") {
  TempDir dir;
  auto r = run_safedb(
      {"check", "--format", "json", dir.write("m.sql", "SELECT 1;\nDELETE FROM messages;\n")});
  REQUIRE(r.exit_code == 1);
  json doc = json::parse(r.out);
  CHECK(doc["version"] == 1);
  CHECK(doc["grammar"] == "17");
  const json& st = doc["files"][0]["statements"][1];
  CHECK(st["index"] == 1);
  CHECK(st["line"] == 2);
  CHECK(st["column"] == 1);
  CHECK(st["kind"] == "DeleteStmt");
  CHECK(st["effects"] == json::array({"data-loss"}));
  CHECK(st["objects"] == json::array({"public.messages"}));
  CHECK(st["lock"] == "ROW EXCLUSIVE");
  const json& f = st["findings"][0];
  CHECK(f["rule"] == "unbounded-delete");
  CHECK(f["severity"] == "error");
  CHECK(f["line"] == 2);
  CHECK(f["column"] == 1);
  CHECK(f["message"].is_string());
  CHECK(f["help"].is_string());
  CHECK(doc["files"][0]["statements"][0]["lock"] == nullptr);
  CHECK(doc["summary"]["errors"] == 1);
}

TEST_CASE("the SARIF report is SARIF 2.1.0 with rules, locations and suppressions", "[cli]") {
  TempDir dir;
  auto r = run_safedb(
      {"check", "--format", "sarif",
       dir.write("m.sql",
                 "DELETE FROM t;\n-- safedb:ignore ban-truncate nightly reload\nTRUNCATE s;\n")});
  json doc = json::parse(r.out);
  CHECK(doc["version"] == "2.1.0");
  const json& run = doc["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "safedb");
  CHECK(run["tool"]["driver"]["rules"].size() >= 50);
  bool unbounded = false, suppressed = false;
  for (const json& result : run["results"]) {
    const json& rule = run["tool"]["driver"]["rules"][result["ruleIndex"].get<int>()];
    CHECK(rule["id"] == result["ruleId"]);
    const json& region = result["locations"][0]["physicalLocation"]["region"];
    if (result["ruleId"] == "unbounded-delete") {
      unbounded = true;
      CHECK(result["level"] == "error");
      CHECK(region["startLine"] == 1);
      CHECK(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .get<std::string>()
                .ends_with("m.sql"));
    }
    if (result["ruleId"] == "ban-truncate") {
      suppressed = true;
      CHECK(result["suppressions"][0]["kind"] == "inSource");
      CHECK(result["suppressions"][0]["justification"] == "nightly reload");
    }
  }
  CHECK(unbounded);
  CHECK(suppressed);
}

TEST_CASE("GitHub annotations escape what workflow commands require", "[cli]") {
  TempDir dir;
  auto r = run_safedb({"check", "--format", "github",
                       dir.write("a,b:c.sql", "DELETE FROM t;\nDELETE FROM u WHERE id = 1;\n")});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("::error file=") == 0);
  CHECK(r.out.find("a%2Cb%3Ac.sql,line=1,col=1,title=safedb unbounded-delete::") !=
        std::string::npos);
  CHECK(r.out.find("::warning file=") != std::string::npos);
  CHECK(count_lines(r.out) == 2);  // one annotation per finding
}

TEST_CASE("text output has no colour codes when not on a terminal", "[cli]") {
  TempDir dir;
  auto r = run_safedb({"check", dir.write("m.sql", "DELETE FROM t;\n")});
  CHECK(r.out.find('\033') == std::string::npos);
  CHECK(r.out.find("  1 | DELETE FROM t;\n") != std::string::npos);
  CHECK(r.out.find("    | ^\n") != std::string::npos);
}

TEST_CASE("rules lists every rule in text, json and markdown", "[cli]") {
  auto text = run_safedb({"rules"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("unbounded-delete") != std::string::npos);
  auto js = run_safedb({"rules", "--format", "json"});
  CHECK(json::parse(js.out).size() >= 50);
}

TEST_CASE("the JSON report escapes names and messages", "[cli]") {
  TempDir dir;
  auto r = run_safedb({"check", "--format", "json",
                       dir.write("q.sql",
                                 "DROP TABLE \"we\"\"ird\\\\name\tx\";\n-- safedb:ignore nope "
                                 "\"quoted\" \\ reason\nSELECT 1;\n")});
  json doc = json::parse(r.out);  // throws if the writer produced invalid JSON
  CHECK(doc["files"][0]["statements"][0]["objects"][0] == "public.we\"ird\\\\name\tx");
  CHECK(doc["files"][0]["findings"][0]["rule"] == "unknown-rule-in-suppression");
}

TEST_CASE("every shipped runbook and example passes check without errors", "[cli]") {
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(SAFEDB_SOURCE_DIR) + "/runbooks")) {
    if (entry.path().extension() != ".sql") continue;
    INFO(entry.path());
    auto r = run_safedb({"check", entry.path().string()});
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("a report that cannot be written fails the check with one line and exit 2", "[cli]") {
  TempDir dir;
  const std::string sql = dir.write("ok.sql", "SELECT 1;\n");
  for (const std::string format : {"text", "json", "sarif"}) {
    // /dev/full accepts the open and refuses every write (ENOSPC), like a full disk.
    const std::string command = std::string(SAFEDB_BINARY) + " check --format " + format + " " +
                                sql + " >/dev/full 2>" + dir.path() + "/err";
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 2);
    CHECK(safedb::test::read_text_file(dir / "err") ==
          "safedb: error: cannot write the report to standard output: No space left on device\n");
  }
}
