#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flashsale/core/sale_catalog.hpp"
#include "flashsale/ports/order_repository.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::core {

struct ItemAuditReport {
  domain::ItemId item;
  std::int64_t initial = 0;          ///< units the sale started with (system of record)
  std::int64_t remaining = 0;        ///< on sale in the store
  std::int64_t held = 0;             ///< held by checkouts
  std::int64_t pending = 0;          ///< accepted, in the queue, not yet persisted
  std::int64_t persisted = 0;        ///< confirmed in the system of record
  std::int64_t failed_returned = 0;  ///< units of orders refused for good, given back
};

struct AuditReport {
  domain::Sale sale;
  std::vector<ItemAuditReport> items;
  std::int64_t dead_letters = 0;
  std::int64_t max_units_per_user = 0;  ///< the most one user holds or bought (store)
  std::int64_t checkout_attempts = 0;
  std::int64_t checkout_holds = 0;
  bool consistent = false;
  /// What does not add up, one line each (empty when consistent).
  std::vector<std::string> differences;
};

/// Proves, for one sale, that the store and the system of record agree unit for unit, exactly
/// even while the sale is under load: initial == remaining + held + pending + persisted for
/// every item, the sold counter equals the confirmed units, nobody above the per-user limit.
///
/// How: one atomic read of the store (stock, held units, the queued orders, the position of the
/// last order queued), then one consistent snapshot of the system of record counting only the
/// orders queued up to that position. An order committed but not yet acknowledged is in both
/// reads; it counts once, as persisted (pending = queued orders the system of record does not
/// hold as confirmed). An order accepted after the store's read is in neither count, and the
/// store's stock read still included its unit. Blocking; thread-safe.
class AuditSale {
 public:
  AuditSale(SaleCatalog& catalog, ports::StockStore& store, ports::OrderRepository& orders);

  /// InvalidRequest for a malformed id, NotFound for an unknown sale, Unavailable when a
  /// backend can't be reached.
  domain::Result<AuditReport> Execute(std::string_view sale_id);

 private:
  static void Check(AuditReport& report, const ports::SaleAudit& recorded);

  SaleCatalog& catalog_;
  ports::StockStore& store_;
  ports::OrderRepository& orders_;
};

}  // namespace flashsale::core
