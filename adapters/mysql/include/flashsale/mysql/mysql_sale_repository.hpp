#pragma once

#include <functional>
#include <memory>
#include <string>

#include "flashsale/mysql/mysql_options.hpp"
#include "flashsale/ports/sale_repository.hpp"

namespace sql {
class PreparedStatement;
}  // namespace sql

namespace flashsale::mysql {

class ConnectionPool;

/// SaleRepository on MySQL/MariaDB: a sale and its items are created in one transaction.
/// Thread-safe.
class MySqlSaleRepository final : public ports::SaleRepository {
 public:
  explicit MySqlSaleRepository(MySqlOptions options);
  ~MySqlSaleRepository() override;

  domain::Result<void> Create(const domain::Sale& sale) override;
  domain::Result<std::optional<domain::Sale>> Find(const domain::SaleId& id) override;
  domain::Result<std::vector<domain::Sale>> List() override;
  domain::Result<std::vector<domain::Sale>> ListEndingAfter(domain::TimePoint t) override;
  domain::Result<domain::Sale> Close(const domain::SaleId& id, domain::TimePoint at) override;

 private:
  /// Sales (with items) matching `where` (on sales s), both reads in one snapshot; `bind`
  /// sets the placeholders of `where` on each statement.
  domain::Result<std::vector<domain::Sale>> Read(
      const std::string& where, const std::function<void(sql::PreparedStatement&)>& bind);

  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace flashsale::mysql
