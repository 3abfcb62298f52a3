#include "mariadb_server.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace flashsale::testing {

MariaDbServer::MariaDbServer() : port_(FreePort()) {
  const auto data = dir_.path() / "data";
  std::filesystem::create_directories(dir_.path() / "tmp");
  // A tmpdir of its own: concurrent bootstraps sharing /tmp crash mariadbd (signal 11 in
  // ha_maria::drop_table on colliding temporary table files; seen in 5 of 12 parallel runs).
  std::string install = "mariadb-install-db --no-defaults --user=root --datadir=" + data.string() +
                        " --tmpdir=" + (dir_.path() / "tmp").string() +
                        " --auth-root-authentication-method=normal --skip-test-db"
                        " --skip-name-resolve > " +
                        (dir_.path() / "install.log").string() + " 2>&1";
  if (std::system(install.c_str()) != 0) {
    throw std::runtime_error("mariadb-install-db failed:\n" +
                             CaptureOutput("tail -20 " + (dir_.path() / "install.log").string()));
  }
  Start();
  Sql("CREATE DATABASE flashsale CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
      "CREATE USER 'flashsale'@'127.0.0.1' IDENTIFIED BY 'flashsale';"
      "CREATE USER 'flashsale'@'localhost' IDENTIFIED BY 'flashsale';"
      "GRANT ALL ON flashsale.* TO 'flashsale'@'127.0.0.1', 'flashsale'@'localhost';");
}

MariaDbServer::~MariaDbServer() { process_.Kill(); }

void MariaDbServer::Start() {
  const auto& d = dir_.path();
  process_.Start(
      {"mariadbd", "--no-defaults", "--user=root", "--datadir=" + (d / "data").string(),
       "--socket=" + (d / "mysqld.sock").string(), "--pid-file=" + (d / "mysqld.pid").string(),
       "--tmpdir=" + (d / "tmp").string(),
       "--port=" + std::to_string(port_), "--bind-address=127.0.0.1", "--skip-name-resolve",
       "--log-error=" + (d / "error.log").string(), "--character-set-server=utf8mb4",
       "--collation-server=utf8mb4_unicode_ci", "--innodb-buffer-pool-size=128M",
       "--innodb-flush-log-at-trx-commit=1", "--skip-log-bin", "--max-connections=500"},
      d / "stdout.log");
  const std::string ping = "mariadb-admin --no-defaults --socket=" + (d / "mysqld.sock").string() +
                           " -uroot ping >/dev/null 2>&1";
  if (!WaitFor([&] { return std::system(ping.c_str()) == 0; }, std::chrono::seconds(60))) {
    throw std::runtime_error("mariadbd did not become ready:\n" +
                             CaptureOutput("tail -20 " + (d / "error.log").string()));
  }
}

void MariaDbServer::Stop() { process_.Stop(std::chrono::seconds(30)); }
void MariaDbServer::Kill() { process_.Kill(); }

mysql::MySqlOptions MariaDbServer::Options() const {
  mysql::MySqlOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  options.user = "flashsale";
  options.password = "flashsale";
  options.database = "flashsale";
  options.connect_timeout = std::chrono::seconds(1);
  return options;
}

std::string MariaDbServer::Sql(const std::string& sql) const {
  const auto file = dir_.path() / "query.sql";
  {
    std::ofstream out(file);
    out << sql << "\n";
  }
  return CaptureOutput("mariadb --no-defaults --socket=" + (dir_.path() / "mysqld.sock").string() +
                       " -uroot -N -B < " + file.string() + " 2>&1");
}

void MariaDbServer::ResetDatabase() const {
  Sql("DROP DATABASE IF EXISTS flashsale;"
      "CREATE DATABASE flashsale CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;");
}

}  // namespace flashsale::testing
