#pragma once

// Internal to the MySQL adapter: Connector/C++ types never leave adapters/mysql/src.

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "flashsale/domain/result.hpp"
#include "flashsale/mysql/mysql_options.hpp"

namespace flashsale::mysql {

/// One Connector/C++ connection with a cache of prepared statements (by SQL text).
/// Used by one thread at a time (it is leased from the pool).
class Session {
 public:
  explicit Session(std::unique_ptr<sql::Connection> connection);
  ~Session();
  /// A prepared statement for `sql`, prepared once per connection.
  sql::PreparedStatement& Prepare(const std::string& sql);
  sql::Connection& connection() { return *connection_; }

  /// Transactions as plain statements, whose errors throw. (Connector/C++ 1.1's
  /// Connection::commit() ignores the client library's result: a COMMIT lost with the server
  /// would look like a success and an acknowledged batch could vanish.)
  void Begin(const char* statement = "START TRANSACTION");
  /// A read-only transaction whose reads all see one snapshot (REPEATABLE READ).
  void BeginSnapshot();
  void Commit();
  /// Best effort; marks the session broken when even ROLLBACK fails.
  void Rollback() noexcept;

  bool broken = false;  ///< set after a server-gone error: the pool drops it

 private:
  sql::Statement& Control();
  std::unique_ptr<sql::Statement> control_;
  std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  std::unique_ptr<sql::Connection> connection_;
};

/// A bounded pool of sessions; one lease per thread at a time. Each thread that touches the
/// driver is registered with driver->threadInit() once (threadEnd() when it exits).
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Session> session)
        : pool_(&pool), session_(std::move(session)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Session* operator->() const { return session_.get(); }
    Session& operator*() const { return *session_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Session> session_;
  };

  explicit ConnectionPool(MySqlOptions options);
  /// An idle session, a new connection, or (when max_connections are out) the next one
  /// returned within the connect timeout. Unavailable when the server can't be reached.
  domain::Result<Lease> Acquire();
  const MySqlOptions& options() const { return options_; }

 private:
  void Return(std::unique_ptr<Session> session);
  domain::Result<std::unique_ptr<Session>> Open();

  MySqlOptions options_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Session>> idle_;
  int open_ = 0;
};

/// Translates a Connector/C++ error: server gone / deadlock / lock timeout -> Unavailable,
/// the rest -> Internal. Marks `session` broken when the connection can't be trusted.
domain::Error Translate(const sql::SQLException& e, Session* session);

/// "?,?,?" style placeholder lists: `groups` groups of `width` placeholders.
std::string Placeholders(std::size_t groups, std::size_t width);

}  // namespace flashsale::mysql
