#include "connection_pool.hpp"

#include <cppconn/driver.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <charconv>

namespace flashsale::mysql {
namespace {

sql::Driver* Driver() {
  // get_driver_instance() is not thread-safe the first time: call it once, under a lock.
  static std::once_flag once;
  static sql::Driver* driver = nullptr;
  std::call_once(once, [] { driver = sql::mysql::get_mysql_driver_instance(); });
  return driver;
}

/// Registers the current thread with the driver once; unregisters it at thread exit.
struct ThreadRegistration {
  ThreadRegistration() { Driver()->threadInit(); }
  ~ThreadRegistration() { Driver()->threadEnd(); }
};

void EnsureThreadRegistered() { thread_local ThreadRegistration registration; }

bool ServerGone(int code) {
  switch (code) {
    case 1053:  // server shutdown in progress
    case 1927:  // connection killed (MariaDB)
    case 2002:  // can't connect through socket
    case 2003:  // can't connect over TCP
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2055:  // lost connection at reading...
      return true;
    default:
      return false;
  }
}

}  // namespace

Session::Session(std::unique_ptr<sql::Connection> connection)
    : connection_(std::move(connection)) {}

sql::Statement& Session::Control() {
  if (!control_) control_.reset(connection_->createStatement());
  return *control_;
}

void Session::Begin(const char* statement) { Control().execute(statement); }

void Session::BeginSnapshot() {
  // Sessions run READ COMMITTED, where every statement sees its own snapshot; this one
  // transaction reads at one point in time (SET TRANSACTION applies to the next one only).
  Control().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  Control().execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
}

void Session::Commit() { Control().execute("COMMIT"); }

void Session::Rollback() noexcept {
  try {
    Control().execute("ROLLBACK");
  } catch (const sql::SQLException&) {
    broken = true;
  }
}

Session::~Session() {
  statements_.clear();  // statements before their connection
  control_.reset();
  try {
    connection_.reset();
  } catch (const sql::SQLException&) {
    // Closing a dead connection may throw; nothing to do about it.
  }
}

sql::PreparedStatement& Session::Prepare(const std::string& text) {
  auto it = statements_.find(text);
  if (it != statements_.end()) return *it->second;
  // Bounded: a few texts still vary (ReadItems has two, locking or not, per count of distinct
  // items).
  if (statements_.size() >= 64) statements_.clear();
  std::unique_ptr<sql::PreparedStatement> statement(connection_->prepareStatement(text));
  return *statements_.emplace(text, std::move(statement)).first->second;
}

ConnectionPool::Lease::~Lease() {
  if (session_ && pool_ != nullptr) pool_->Return(std::move(session_));
}

ConnectionPool::ConnectionPool(MySqlOptions options) : options_(std::move(options)) {}

domain::Result<std::unique_ptr<Session>> ConnectionPool::Open() {
  EnsureThreadRegistered();
  sql::ConnectOptionsMap map;
  map["hostName"] = sql::SQLString("tcp://" + options_.host + ":" + std::to_string(options_.port));
  map["userName"] = sql::SQLString(options_.user);
  map["password"] = sql::SQLString(options_.password);
  map["schema"] = sql::SQLString(options_.database);
  map["OPT_CONNECT_TIMEOUT"] = static_cast<int>(options_.connect_timeout.count());
  map["OPT_READ_TIMEOUT"] = static_cast<int>(options_.io_timeout.count());
  map["OPT_WRITE_TIMEOUT"] = static_cast<int>(options_.io_timeout.count());
  map["OPT_RECONNECT"] = false;
  map["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  try {
    std::unique_ptr<sql::Connection> connection(Driver()->connect(map));
    std::unique_ptr<sql::Statement> setup(connection->createStatement());
    setup->execute("SET SESSION time_zone = '+00:00'");
    setup->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    setup->execute("SET SESSION innodb_lock_wait_timeout = " +
                   std::to_string(options_.lock_wait_timeout.count()));
    setup.reset();
    return std::make_unique<Session>(std::move(connection));
  } catch (const sql::SQLException& e) {
    return domain::Error{domain::Outcome::kUnavailable,
                         "mysql connect " + options_.host + ":" + std::to_string(options_.port) +
                             ": " + e.what() + " (" + std::to_string(e.getErrorCode()) + ")"};
  }
}

domain::Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  EnsureThreadRegistered();
  {
    std::unique_lock lock(mu_);
    if (idle_.empty() && open_ >= options_.max_connections) {
      returned_.wait_for(lock, options_.connect_timeout,
                         [this] { return !idle_.empty() || open_ < options_.max_connections; });
    }
    if (!idle_.empty()) {
      auto session = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(session));
    }
    if (open_ >= options_.max_connections) {
      return domain::Error{domain::Outcome::kUnavailable, "mysql: connection pool exhausted"};
    }
    ++open_;
  }
  auto opened = Open();
  if (!opened) {
    std::lock_guard lock(mu_);
    --open_;
    returned_.notify_one();
    return opened.error();
  }
  return Lease(*this, std::move(*opened));
}

void ConnectionPool::Return(std::unique_ptr<Session> session) {
  std::lock_guard lock(mu_);
  if (session->broken) {
    --open_;
    session.reset();
  } else {
    idle_.push_back(std::move(session));
  }
  returned_.notify_one();
}

domain::Error Translate(const sql::SQLException& e, Session* session) {
  const int code = e.getErrorCode();
  std::string detail = std::string("mysql: ") + e.what() + " (" + std::to_string(code) + ")";
  if (ServerGone(code) || code == 0) {
    if (session != nullptr) session->broken = true;
    return domain::Error{domain::Outcome::kUnavailable, std::move(detail)};
  }
  if (code == 1213 || code == 1205 || code == 1062 || code == 1045) {
    return domain::Error{domain::Outcome::kUnavailable, std::move(detail)};
  }
  if (session != nullptr) session->broken = true;  // unknown state: don't reuse it
  return domain::Error{domain::Outcome::kInternal, std::move(detail)};
}

std::string Placeholders(std::size_t groups, std::size_t width) {
  std::string group = width == 1 ? "" : "(";
  for (std::size_t i = 0; i < width; ++i) group += i == 0 ? "?" : ",?";
  if (width != 1) group += ")";
  std::string out;
  out.reserve(groups * (group.size() + 1));
  for (std::size_t g = 0; g < groups; ++g) {
    if (g > 0) out += ',';
    out += group;
  }
  return out;
}

}  // namespace flashsale::mysql
