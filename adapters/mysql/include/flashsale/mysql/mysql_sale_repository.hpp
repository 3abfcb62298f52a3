#pragma once

#include <memory>

#include "flashsale/mysql/mysql_options.hpp"
#include "flashsale/ports/sale_repository.hpp"

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

 private:
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace flashsale::mysql
