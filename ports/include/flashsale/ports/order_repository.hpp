#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "flashsale/core/order.hpp"
#include "flashsale/core/result.hpp"

namespace flashsale::ports {

/// Per-order result of OrderRepository::SaveBatch.
struct SaveResult {
  /// true: the order is in the system of record as confirmed (now or before).
  /// false: refused for good (`reason`: SoldOut when the stock guard refused, UnknownItem,
  /// DuplicateRequest for another order with the same (sale, user, request)); it is recorded
  /// as failed and its units must be released.
  bool saved = false;
  core::Outcome reason = core::Outcome::kAccepted;
  std::string detail;
};

/// The system of record for orders.
class OrderRepository {
 public:
  virtual ~OrderRepository() = default;

  /// Persists a batch atomically and idempotently: an order already present gives the same
  /// answer as the first time (so replays after a crash are harmless); the stock guard
  /// (sold + n <= stock per item) refuses orders beyond the item's stock one by one while the
  /// rest persists. Returns one SaveResult per order, in input order.
  /// Thread-safe. Unavailable on a transient failure (nothing of the batch is written).
  virtual core::Result<std::vector<SaveResult>> SaveBatch(std::span<const core::Order> orders) = 0;

  /// The stored order (confirmed or failed), nullopt when unknown. Thread-safe.
  virtual core::Result<std::optional<core::Order>> Find(const core::OrderId& id) = 0;

  /// Units confirmed for one item of a sale. Thread-safe.
  virtual core::Result<std::int64_t> CountSold(const core::SaleId& sale,
                                               const core::ItemId& item) = 0;
};

}  // namespace flashsale::ports
