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

  core::Result<void> Create(const core::Sale& sale) override;
  core::Result<std::optional<core::Sale>> Find(const core::SaleId& id) override;
  core::Result<std::vector<core::Sale>> List() override;

 private:
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace flashsale::mysql
