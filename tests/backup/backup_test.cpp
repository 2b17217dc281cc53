#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "backup/files.h"
#include "safedb/backup/manifest.h"
#include "safedb/backup/pg_tools.h"
#include "safedb/backup/store.h"
#include "safedb/crypto/hash.h"
#include "safedb/util/progress.h"
#include "support/temp_dir.h"

using namespace safedb;

TEST_CASE("backup ids sort by time and name the database", "[backup]") {
  const std::string id = backup::new_backup_id(1'700'000'000, "App_DB-prod");
  CHECK(std::regex_match(id, std::regex(R"(20231114T221320Z-appdbprod-[0-9a-f]{4})")));
  CHECK(backup::new_backup_id(1'700'000'001, "a") > backup::new_backup_id(1'700'000'000, "z"));
  CHECK(backup::new_backup_id(0, "!!!").find("-db-") != std::string::npos);
}

TEST_CASE("PostgreSQL versions compare by major release", "[backup]") {
  CHECK(backup::version_num_of("15.18") == 150018);
  CHECK(backup::version_num_of("9.6.24") == 90624);
  CHECK(backup::major_of(150018) == 150000);
  CHECK(backup::major_of(90624) == 90600);
  CHECK(backup::major_of(90624) < backup::major_of(100001));
  CHECK(backup::major_name(170004) == "17");
  CHECK(backup::major_name(90624) == "9.6");
}

TEST_CASE("a manifest survives its JSON form and a bad one is named", "[backup]") {
  backup::Manifest m;
  m.id = "20231114T221320Z-app-1a2b";
  m.target_name = "prod";
  m.target.system_identifier = "7310000000000000001";
  m.target.database = "app";
  m.target.host = "db";
  m.target.port = 5432;
  m.target.server_version_num = 150018;
  m.target.server_version = "15.18";
  m.pg_dump_version = "15.18";
  m.snapshot_time = "2023-11-14T22:13:20Z";
  m.snapshot_unix_time = 1'700'000'000;
  content::TableDigest t;
  t.schema = "public";
  t.name = "t";
  t.columns = {"id integer"};
  t.rows = 3;
  t.bytes = 6;
  t.hash = std::string(64, 'a');
  m.tables.push_back(t);
  m.files.push_back({"dump/toc.dat", 10, std::string(64, 'b')});
  Result<backup::Manifest> back = backup::manifest_from_json(backup::to_json(m));
  REQUIRE(back);
  CHECK(backup::to_json(*back) == backup::to_json(m));
  CHECK(back->rows() == 3);
  nlohmann::json broken = backup::to_json(m);
  broken["snapshot"].erase("unix_time");
  Result<backup::Manifest> bad = backup::manifest_from_json(broken);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message() == "\"snapshot\" is missing or has the wrong type");
}

TEST_CASE("a client program fails on its exit status a signal or an error line", "[backup]") {
  util::ProcessResult ok{0, 0, "", "pg_dump: warning: something minor\n"};
  CHECK_FALSE(backup::detail::program_failure("pg_dump", ok));
  util::ProcessResult exit_one{1, 0, "", "pg_dump: error: query failed\npg_dump: detail: x\n"};
  CHECK(*backup::detail::program_failure("pg_dump", exit_one) ==
        "pg_dump failed (exit status 1): pg_dump: error: query failed; pg_dump: detail: x");
  util::ProcessResult zero_with_error{0, 0, "", "pg_restore: error: could not execute query\n"};
  CHECK(backup::detail::program_failure("pg_restore", zero_with_error));
  util::ProcessResult killed{-1, 9, "", ""};
  CHECK(backup::detail::program_failure("pg_dump", killed)
            ->starts_with("pg_dump was killed by signal 9"));
}

TEST_CASE("dump files hash alike on one thread and on several, sorted by path", "[backup]") {
  test::TempDir dir;
  // Sizes around the 1 MiB read buffer, an empty file and one in a sub-folder.
  const std::vector<std::pair<std::string, std::string>> contents = {
      {"dump/toc.dat", std::string(3000, 't')},
      {"dump/3346.dat.gz", std::string((1 << 20) + 17, 'a')},
      {"dump/3347.dat.gz", std::string(5 << 20, 'b')},
      {"dump/blobs/empty", ""},
      {"dump/3345.dat.gz", std::string(1 << 20, 'c')},
  };
  for (const auto& [name, content] : contents)
    dir.write(name, content);
  for (int threads : {1, 2, 7}) {
    util::Progress quiet;
    Result<std::vector<backup::DumpFile>> files =
        backup::hash_dump_files(dir.path(), threads, quiet);
    REQUIRE(files);
    REQUIRE(files->size() == contents.size());
    std::vector<std::string> paths;
    for (const backup::DumpFile& f : *files) {
      paths.push_back(f.path);
      const auto it = std::find_if(contents.begin(), contents.end(),
                                   [&](const auto& c) { return c.first == f.path; });
      REQUIRE(it != contents.end());
      CHECK(f.size == it->second.size());
      CHECK(f.sha256 == crypto::to_hex(crypto::sha256(it->second)));
    }
    CHECK(std::is_sorted(paths.begin(), paths.end()));
  }
}

TEST_CASE("an unreadable dump file is named, whatever thread reads it", "[backup]") {
  test::TempDir dir;
  dir.write("dump/a.dat.gz", std::string(2 << 20, 'a'));
  dir.write("dump/b.dat.gz", "b");
  std::filesystem::create_symlink(dir / "dump/a.dat.gz", dir / "dump/c.dat.gz");
  util::Progress quiet;
  Result<std::vector<backup::DumpFile>> files = backup::hash_dump_files(dir.path(), 2, quiet);
  REQUIRE_FALSE(files);
  CHECK_THAT(files.error().message(), Catch::Contains("c.dat.gz: not a regular file"));
  std::filesystem::remove(dir / "dump/c.dat.gz");
  if (::geteuid() != 0) {  // root reads files whatever their mode
    std::filesystem::permissions(dir / "dump/b.dat.gz", std::filesystem::perms::none);
    files = backup::hash_dump_files(dir.path(), 2, quiet);
    REQUIRE_FALSE(files);
    CHECK_THAT(files.error().message(), Catch::Contains("b.dat.gz"));
  }
}
