#pragma once

#include <string>
#include <vector>

#include "flashsale/domain/result.hpp"
#include "flashsale/mysql/mysql_options.hpp"

namespace flashsale::mysql {

/// One numbered SQL file of migrations/ (embedded at build time).
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

/// Every migration, ordered by version.
const std::vector<Migration>& EmbeddedMigrations();

struct MigrationReport {
  std::vector<int> applied;  ///< versions applied by this call, in order
  int current = 0;           ///< highest version now recorded
};

/// Applies pending migrations once, in order, and records each in schema_migrations.
/// Safe to run twice (nothing to do) or from several processes at once (an advisory lock,
/// GET_LOCK, serialises them; the loser finds nothing left to apply). Unavailable when the
/// server can't be reached, Internal when a migration fails (it is not recorded).
domain::Result<MigrationReport> Migrate(
    const MySqlOptions& options, const std::vector<Migration>& migrations = EmbeddedMigrations());

}  // namespace flashsale::mysql
