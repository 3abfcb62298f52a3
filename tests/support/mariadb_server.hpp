#pragma once

#include <string>

#include "flashsale/mysql/mysql_options.hpp"
#include "process.hpp"

namespace flashsale::testing {

/// A real mariadbd for one test binary: --no-defaults, own datadir in a temp dir, free port,
/// loopback only, database "flashsale" and user flashsale/flashsale. Restart keeps the data.
class MariaDbServer {
 public:
  MariaDbServer();
  ~MariaDbServer();

  void Start();
  void Stop();
  /// kill -9: a crash (InnoDB recovers on the next Start).
  void Kill();

  int port() const { return port_; }
  mysql::MySqlOptions Options() const;
  /// Runs one SQL text as root through the socket; returns stdout (tab-separated, no header).
  std::string Sql(const std::string& sql) const;
  /// Drops and re-creates the flashsale database (empty, no tables).
  void ResetDatabase() const;

 private:
  TempDir dir_{"flashsale-mariadb"};
  int port_;
  ChildProcess process_;
};

}  // namespace flashsale::testing
