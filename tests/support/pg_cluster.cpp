#include "support/pg_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "safedb/db/connection.h"
#include "support/server_process.h"

namespace fs = std::filesystem;

namespace safedb::test {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

bool has_server_binaries(const fs::path& dir) {
  for (const char* program : {"initdb", "postgres", "pg_ctl"}) {
    if (::access((dir / program).c_str(), X_OK) != 0) return false;
  }
  return true;
}

// $SAFEDB_PG_BINDIR, else the highest major version under /usr/lib/postgresql.
fs::path find_bindir() {
  if (std::string dir = env("SAFEDB_PG_BINDIR"); !dir.empty()) {
    if (!has_server_binaries(dir)) {
      throw std::runtime_error("SAFEDB_PG_BINDIR=" + dir +
                               " has no initdb, postgres and pg_ctl programs");
    }
    return dir;
  }
  std::optional<std::pair<int, fs::path>> best;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    const int major = std::atoi(name.c_str());
    if (major > 0 && has_server_binaries(entry.path() / "bin") && (!best || major > best->first)) {
      best = {major, entry.path() / "bin"};
    }
  }
  if (!best) {
    throw std::runtime_error(
        "tests tagged [pg] need PostgreSQL server binaries (initdb, postgres, pg_ctl): none in "
        "/usr/lib/postgresql/*/bin; install the postgresql package (scripts/setup-deps.sh) or "
        "set SAFEDB_PG_BINDIR");
  }
  return best->second;
}

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("cannot create a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot find a free TCP port on 127.0.0.1");
  return ntohs(addr.sin_port);
}

// 'text' with embedded quotes doubled, as SQL spells a string constant.
std::string sql_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += c;
  }
  return out + "'";
}

class Cluster {
 public:
  Cluster() {
    try {
      start();
    } catch (...) {
      stop();
      throw;
    }
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  ~Cluster() { stop(); }

  std::string conninfo(const std::string& dbname) const {
    return "host=" + quote_conninfo_value(socket_dir_.string()) + " port=" + std::to_string(port_) +
           " user=postgres dbname=" + quote_conninfo_value(dbname);
  }

  std::string create_database() {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string name = "safedb_test_" + std::to_string(++databases_);
    admin("CREATE DATABASE " + name);
    return name;
  }

  // A physical standby of this cluster (pg_basebackup -R), started on first
  // use and stopped with the cluster. Returns its connection string.
  std::string standby() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (standby_pid_ == 0) start_standby();
    return "host=" + quote_conninfo_value(socket_dir_.string()) +
           " port=" + std::to_string(standby_port_) + " user=postgres dbname=postgres";
  }

  int port() const { return port_; }
  const fs::path& socket_dir() const { return socket_dir_; }
  const fs::path& bindir() const { return bindir_; }

 private:
  void start() {
    bindir_ = find_bindir();
    account_ = server_account();
    std::string tmpl = (fs::temp_directory_path() / "safedb-pg-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed in " + tmpl);
    root_ = tmpl;
    socket_dir_ = root_ / "socket";
    fs::create_directory(socket_dir_);
    if (account_.switch_user) {
      for (const fs::path& p : {root_, socket_dir_}) {
        if (::chown(p.c_str(), account_.uid, account_.gid) != 0) {
          throw std::runtime_error("cannot give " + p.string() + " to the postgres account");
        }
      }
    }
    const std::string initdb_log = (root_ / "initdb.log").string();
    const int rc = run(account_,
                       {(bindir_ / "initdb").string(), "-D", (root_ / "data").string(), "-U",
                        "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
                        "-E", "UTF8", "--locale=C.UTF-8"},
                       initdb_log);
    if (rc != 0) {
      throw std::runtime_error("initdb failed (exit " + std::to_string(rc) +
                               "): " + read_text_file(initdb_log));
    }
    // The port is free when chosen but could be taken before the server binds it.
    for (int attempt = 1;; ++attempt) {
      port_ = free_tcp_port();
      if (launch()) break;
      const std::string log = read_text_file((root_ / "server.log").string());
      if (attempt == 3 || log.find("could not bind") == std::string::npos) {
        throw std::runtime_error("the test PostgreSQL server did not start: " + log);
      }
    }
    admin(std::string("CREATE ROLE ") + kPasswordRole + " LOGIN PASSWORD " +
          sql_literal(kPasswordRolePassword));
  }

  // Starts the postmaster and waits until it accepts connections; false if it exited.
  bool launch() {
    const fs::path data = root_ / "data";
    server_pid_ =
        spawn(account_,
              {(bindir_ / "postgres").string(), "-D", data.string(), "-k", socket_dir_.string(),
               "-p", std::to_string(port_), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
               "-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "lc_messages=C",
               "-c", "max_connections=100"},
              (root_ / "server.log").string(), /*die_with_parent=*/true);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(server_pid_, &status, WNOHANG) == server_pid_) {
        server_pid_ = 0;
        return false;
      }
      Result<db::Connection> probe = db::Connection::open(conninfo("postgres"));
      if (probe) {
        admin_ = std::make_unique<db::Connection>(std::move(probe).value());
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("the test PostgreSQL server did not accept connections within 60 s: " +
                             read_text_file((root_ / "server.log").string()));
  }

  void start_standby() {
    const fs::path data = root_ / "standby";
    const std::string log = (root_ / "standby.log").string();
    const int rc =
        run(account_,
            {(bindir_ / "pg_basebackup").string(), "-D", data.string(), "-R", "-X", "stream", "-h",
             socket_dir_.string(), "-p", std::to_string(port_), "-U", "postgres"},
            log);
    if (rc != 0) throw std::runtime_error("pg_basebackup failed: " + read_text_file(log));
    standby_port_ = free_tcp_port();
    standby_pid_ =
        spawn(account_,
              {(bindir_ / "postgres").string(), "-D", data.string(), "-k", socket_dir_.string(),
               "-p", std::to_string(standby_port_), "-c", "listen_addresses=", "-c", "fsync=off"},
              log, /*die_with_parent=*/true);
    const std::string conninfo = "host=" + quote_conninfo_value(socket_dir_.string()) +
                                 " port=" + std::to_string(standby_port_) +
                                 " user=postgres dbname=postgres";
    for (int i = 0; i < 1200; ++i) {
      if (db::Connection::open(conninfo)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("the standby did not accept connections: " + read_text_file(log));
  }

  void admin(const std::string& sql) {
    Result<db::QueryResult> result = admin_->exec(sql);
    if (!result) throw std::runtime_error(sql + ": " + result.error().message());
  }

  void stop() noexcept {
    admin_.reset();
    if (standby_pid_ > 0) {
      ::kill(standby_pid_, SIGQUIT);
      int status = 0;
      ::waitpid(standby_pid_, &status, 0);
      standby_pid_ = 0;
    }
    if (server_pid_ > 0) {
      const int rc = run(account_,
                         {(bindir_ / "pg_ctl").string(), "stop", "-D", (root_ / "data").string(),
                          "-m", "immediate", "-w"},
                         (root_ / "pg_ctl.log").string());
      if (rc != 0) ::kill(server_pid_, SIGQUIT);  // the postmaster's immediate shutdown
      int status = 0;
      ::waitpid(server_pid_, &status, 0);
      server_pid_ = 0;
    }
    if (!root_.empty()) {
      std::error_code ec;
      fs::remove_all(root_, ec);
      root_.clear();
    }
  }

  fs::path bindir_;
  ServerAccount account_;
  fs::path root_;
  fs::path socket_dir_;
  int port_ = 0;
  pid_t server_pid_ = 0;
  int standby_port_ = 0;
  pid_t standby_pid_ = 0;
  std::unique_ptr<db::Connection> admin_;
  std::mutex mutex_;
  int databases_ = 0;
};

// The process-wide cluster, started on first use. A failed start is
// remembered, so every later [pg] test fails quickly with the same reason.
Cluster& cluster() {
  static std::mutex mutex;
  static std::unique_ptr<Cluster> instance;
  static std::string failure;
  std::lock_guard<std::mutex> lock(mutex);
  if (instance) return *instance;
  if (!failure.empty()) throw std::runtime_error(failure);
  try {
    instance = std::make_unique<Cluster>();
  } catch (const std::exception& e) {
    failure = std::string("cannot start the test PostgreSQL cluster: ") + e.what();
    throw std::runtime_error(failure);
  }
  return *instance;
}

}  // namespace

std::string conninfo(const std::string& dbname) {
  return cluster().conninfo(dbname);
}

std::string create_database() {
  return cluster().create_database();
}

std::string tcp_conninfo(const std::string& user, const std::string& password,
                         const std::string& dbname) {
  return "host=127.0.0.1 port=" + std::to_string(cluster().port()) +
         " user=" + quote_conninfo_value(user) + " password=" + quote_conninfo_value(password) +
         " dbname=" + quote_conninfo_value(dbname);
}

int cluster_port() {
  return cluster().port();
}
std::string cluster_socket_dir() {
  return cluster().socket_dir().string();
}
std::string cluster_bindir() {
  return cluster().bindir().string();
}

std::string start_standby() {
  return cluster().standby();
}

int closed_tcp_port() {
  return free_tcp_port();
}

std::string quote_conninfo_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace safedb::test
