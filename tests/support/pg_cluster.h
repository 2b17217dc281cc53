#pragma once

#include <string>

// A throwaway PostgreSQL cluster for the tests tagged [pg].
//
// The first call to any function here starts one cluster for the whole test
// process: initdb into a fresh mkdtemp folder, its own Unix socket folder and
// a free TCP port on 127.0.0.1, fsync off. The socket trusts everyone; TCP
// asks for a SCRAM password. The cluster is stopped (pg_ctl stop -m
// immediate) and its folder removed when the process exits, and the server
// also dies with the thread that started it if the process crashes. Nothing
// depends on a system service, a fixed port or an earlier run.
//
// Server binaries come from $SAFEDB_PG_BINDIR, else from the highest
// /usr/lib/postgresql/*/bin. When they are missing or the server cannot
// start, every function throws std::runtime_error with the reason, so each
// [pg] test fails with a clear message instead of silently passing. As root,
// initdb and the server run as the "postgres" account, because they refuse
// to run as root.
//
// Thread safety: all functions may be called from any thread; start the
// cluster from the main thread (any call does) before tests spawn threads.
namespace safedb::test {

// A role that logs in with a password over TCP (and not a superuser).
inline constexpr const char* kPasswordRole = "safedb_password_role";
inline constexpr const char* kPasswordRolePassword = "c0rrect horse 'battery'";

// Connection string for `dbname` over the Unix socket, as the superuser "postgres".
std::string conninfo(const std::string& dbname = "postgres");

// Creates a new, empty, uniquely named database and returns its name.
std::string create_database();

// Connection string for 127.0.0.1 at the cluster's TCP port; libpq quoting applied.
std::string tcp_conninfo(const std::string& user, const std::string& password,
                         const std::string& dbname);

// The cluster's TCP port, Unix socket folder and server binary folder.
int cluster_port();
std::string cluster_socket_dir();
std::string cluster_bindir();

// A TCP port on 127.0.0.1 that nothing listens on right now.
int closed_tcp_port();
// Connection string of a physical standby of the cluster (in recovery),
// started on first use with pg_basebackup -R.
std::string start_standby();

// Quotes a value for a libpq connection string: 'value', with \' and \\ escapes.
std::string quote_conninfo_value(const std::string& value);

}  // namespace safedb::test
