#include <signal.h>
#include <catch2/catch.hpp>

#include <string>

#include "safedb/util/process.h"

using namespace safedb;
using namespace safedb::util;

TEST_CASE("run_process feeds stdin and collects stdout", "[crypto][process]") {
  auto result = run_process({"cat"}, "hello\nworld\n");
  REQUIRE(result.ok());
  CHECK(result->exit_code == 0);
  CHECK(result->signal == 0);
  CHECK(result->out == "hello\nworld\n");
  CHECK(result->err.empty());
}

TEST_CASE("run_process moves megabytes both ways without deadlock", "[crypto][process]") {
  // cat writes while we still write: both pipes fill up unless we poll.
  std::string input;
  for (int i = 0; input.size() < 4 * 1024 * 1024; ++i)
    input += std::to_string(i) + "\n";
  auto result = run_process({"sh", "-c", "cat; cat >&2 </dev/null; printf done >&2"}, input);
  REQUIRE(result.ok());
  CHECK(result->exit_code == 0);
  CHECK(result->out == input);
  CHECK(result->err == "done");
}

TEST_CASE("run_process keeps stdout and stderr apart", "[crypto][process]") {
  auto result = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  REQUIRE(result.ok());
  CHECK(result->exit_code == 3);
  CHECK(result->out == "out\n");
  CHECK(result->err == "err\n");
}

TEST_CASE("run_process passes arguments verbatim, without a shell", "[crypto][process]") {
  auto result = run_process({"printf", "%s|", "a b", "$HOME", "*", "'q'"});
  REQUIRE(result.ok());
  CHECK(result->out == "a b|$HOME|*|'q'|");
}

TEST_CASE("run_process reports a program killed by a signal", "[crypto][process]") {
  auto result = run_process({"sh", "-c", "kill -TERM $$"});
  REQUIRE(result.ok());
  CHECK(result->exit_code == -1);
  CHECK(result->signal == SIGTERM);
}

TEST_CASE("run_process survives a program that exits without reading its input",
          "[crypto][process]") {
  std::string input(8 * 1024 * 1024, 'x');
  auto result = run_process({"true"}, input);
  REQUIRE(result.ok());
  CHECK(result->exit_code == 0);
}

TEST_CASE("run_process fails naming a program that cannot be started", "[crypto][process]") {
  auto result = run_process({"safedb-no-such-program-xyz"});
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message(), Catch::Contains("safedb-no-such-program-xyz"));
  CHECK_FALSE(run_process({}).ok());
}

TEST_CASE("run_process gives the child no descriptors beyond the standard three",
          "[crypto][process]") {
  auto result = run_process({"sh", "-c", "ls /proc/self/fd | wc -l"});
  REQUIRE(result.ok());
  // 0, 1, 2 and the descriptor ls opens to read the folder.
  CHECK(std::stoi(result->out) <= 4);
}
