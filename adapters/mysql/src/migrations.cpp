#include "flashsale/mysql/migrations.hpp"

#include <cppconn/statement.h>

#include <set>

#include "connection_pool.hpp"

namespace flashsale::mysql {
namespace {

/// Splits a migration file into statements at ';' ending a line (our files hold plain DDL).
std::vector<std::string> Statements(const std::string& sql) {
  std::vector<std::string> out;
  std::string current;
  std::size_t start = 0;
  while (start < sql.size()) {
    std::size_t end = sql.find('\n', start);
    if (end == std::string::npos) end = sql.size();
    std::string line = sql.substr(start, end - start);
    start = end + 1;
    std::string trimmed = line;
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\r'))
      trimmed.pop_back();
    if (trimmed.rfind("--", 0) == 0 && current.empty()) continue;
    current += line + "\n";
    if (!trimmed.empty() && trimmed.back() == ';') {
      current.erase(current.find_last_of(';'));
      out.push_back(current);
      current.clear();
    }
  }
  if (current.find_first_not_of(" \n\r\t") != std::string::npos) out.push_back(current);
  return out;
}

constexpr const char* kBootstrap =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL,"
    " applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB";

}  // namespace

domain::Result<MigrationReport> Migrate(const MySqlOptions& options,
                                        const std::vector<Migration>& migrations) {
  MySqlOptions one = options;
  one.max_connections = 1;
  ConnectionPool pool(one);
  auto lease = pool.Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  MigrationReport report;
  bool locked = false;
  try {
    // One migrator at a time across processes; the others wait, then find nothing to do.
    auto& lock = session.Prepare("SELECT GET_LOCK('flashsale.migrate', 60)");
    std::unique_ptr<sql::ResultSet> got(lock.executeQuery());
    if (!got->next() || got->getInt(1) != 1) {
      return domain::Error{domain::Outcome::kUnavailable, "mysql: migration lock not obtained"};
    }
    locked = true;
    std::unique_ptr<sql::Statement> ddl(session.connection().createStatement());
    ddl->execute(kBootstrap);
    std::set<int> done;
    {
      std::unique_ptr<sql::ResultSet> rows(
          session.Prepare("SELECT version FROM schema_migrations").executeQuery());
      while (rows->next()) done.insert(rows->getInt(1));
    }
    for (const Migration& migration : migrations) {
      if (done.contains(migration.version)) continue;
      for (const std::string& statement : Statements(migration.sql)) ddl->execute(statement);
      auto& record = session.Prepare("INSERT INTO schema_migrations (version, name) VALUES (?, ?)");
      record.setInt(1, migration.version);
      record.setString(2, migration.name);
      record.executeUpdate();
      report.applied.push_back(migration.version);
      done.insert(migration.version);
    }
    report.current = done.empty() ? 0 : *done.rbegin();
    std::unique_ptr<sql::ResultSet>(
        session.Prepare("SELECT RELEASE_LOCK('flashsale.migrate')").executeQuery());
    return report;
  } catch (const sql::SQLException& e) {
    domain::Error error = Translate(e, &session);
    if (locked && !session.broken) {
      try {
        std::unique_ptr<sql::ResultSet>(
            session.Prepare("SELECT RELEASE_LOCK('flashsale.migrate')").executeQuery());
      } catch (const sql::SQLException&) {
        // The lock dies with the connection anyway.
      }
    }
    if (error.outcome == domain::Outcome::kInternal) {
      error.detail = "migration failed: " + error.detail;
    }
    return error;
  }
}

}  // namespace flashsale::mysql
