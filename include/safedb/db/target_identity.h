#pragma once

#include <string>

namespace safedb::db {

// Which database a connection reached, precisely enough to tell two
// PostgreSQL clusters, two databases of one cluster, and a primary from its
// standby apart. Backups, dry-runs and approvals are bound to this identity.
struct TargetIdentity {
  // The cluster's unique id (pg_control_system().system_identifier), a
  // decimal number of about 19 digits fixed at initdb time. A physical
  // standby shares it with its primary; a restored copy of a base backup
  // keeps it; a fresh initdb gets a new one.
  std::string system_identifier;
  std::string database;  // current_database(), the connected database's name
  // The host as the client reached it: a host name, an IP address, or a Unix
  // socket folder (starting with '/'); the connection's view, not the server's.
  std::string host;
  int port = 0;                // the TCP port, or the socket file's port number
  int server_version_num = 0;  // e.g. 150018 for 15.18, 170004 for 17.4
  std::string server_version;  // SHOW server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)"
  bool in_recovery = false;    // pg_is_in_recovery(): a standby or a server being restored

  // "cluster 7312345678901234567, database \"app\" at host 10.0.0.5 port 5432 (PostgreSQL 15.18)"
  std::string describe() const;
};

}  // namespace safedb::db
