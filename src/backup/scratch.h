#pragma once

#include <string>

#include "safedb/db/connection.h"
#include "safedb/util/result.h"

namespace safedb::backup::detail {

// A database created on the scratch server for one verification, dropped
// when this object ends whatever happened before. REQUIRES: `admin`
// outlives it.
class ScratchDatabase {
 public:
  ScratchDatabase(db::Connection& admin, std::string name, int server_version)
      : admin_(admin), name_(std::move(name)), server_version_(server_version) {}
  ~ScratchDatabase() { (void)drop(); }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string sql_name() const;
  Status create();
  // Drops it (terminating sessions still connected, from PostgreSQL 13 on).
  // Does nothing when it was not created or is already dropped.
  Status drop();

 private:
  db::Connection& admin_;
  std::string name_;
  int server_version_;
  bool created_ = false;
};

// "safedb_verify_<id>_<4 random hex digits>", at most 63 bytes.
std::string scratch_name(const std::string& id);

}  // namespace safedb::backup::detail
