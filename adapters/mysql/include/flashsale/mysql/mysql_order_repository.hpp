#pragma once

#include <memory>

#include "flashsale/mysql/mysql_options.hpp"
#include "flashsale/ports/order_repository.hpp"

namespace flashsale::mysql {

class ConnectionPool;

/// OrderRepository on MySQL/MariaDB (Connector/C++ 1.1, prepared statements only).
///
/// SaveBatch is one transaction: lock the items' sale_items rows (FOR UPDATE, in key order),
/// find orders already stored (their first answer is repeated) and request keys taken by
/// other orders (DuplicateRequest, not stored), apply the guard sold + n <= stock order by
/// order (refused ones are stored as failed with reason SoldOut / UnknownItem), insert the
/// new rows with one multi-row INSERT, bump sale_items.sold, commit. Any SQL error rolls back
/// and returns Unavailable (server gone, deadlock, lock timeout) or Internal; nothing is half
/// written. Thread-safe: connections come from a pool, one per calling thread at a time.
class MySqlOrderRepository final : public ports::OrderRepository {
 public:
  explicit MySqlOrderRepository(MySqlOptions options);
  ~MySqlOrderRepository() override;

  domain::Result<std::vector<ports::SaveResult>> SaveBatch(
      std::span<const domain::Order> orders) override;
  domain::Result<void> SaveAttempts(std::span<const domain::CheckoutAttempt> attempts) override;
  domain::Result<std::optional<domain::Order>> Find(const domain::OrderId& id) override;
  domain::Result<std::int64_t> CountSold(const domain::SaleId& sale,
                                         const domain::ItemId& item) override;
  domain::Result<ports::SaleAudit> Audit(const domain::SaleId& sale,
                                         std::optional<domain::QueuePosition> up_to) override;

  /// Reachability probe for readiness checks (SELECT 1).
  bool Healthy();

 private:
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace flashsale::mysql
