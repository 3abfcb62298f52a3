#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "flashsale/domain/result.hpp"

namespace flashsale::mysql {

/// How to reach MySQL/MariaDB.
struct MySqlOptions {
  std::string host = "127.0.0.1";
  int port = 3306;  ///< 1..65535
  std::string user = "flashsale";
  std::string password;  ///< never logged
  std::string database = "flashsale";
  /// Connect timeout. Default 2 s.
  std::chrono::seconds connect_timeout{2};
  /// Socket read/write timeouts: a hung server gives Unavailable after this. Default 10 s.
  std::chrono::seconds io_timeout{10};
  /// InnoDB lock wait per statement. Default 5 s.
  std::chrono::seconds lock_wait_timeout{5};
  /// Most connections one repository opens (one per worker thread is the norm). Default 16.
  int max_connections = 16;
};

/// Parses mysql://user[:password]@host[:port]/database. InvalidRequest otherwise.
domain::Result<MySqlOptions> ParseMySqlUrl(std::string_view url);

/// "mysql://user:***@host:port/database": safe to log.
std::string Redacted(const MySqlOptions& options);

}  // namespace flashsale::mysql
