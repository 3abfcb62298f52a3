#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/order.hpp"
#include "flashsale/domain/result.hpp"

namespace flashsale::ports {

/// Per-order result of OrderRepository::SaveBatch.
struct SaveResult {
  /// true: the order is in the system of record as confirmed (now or before).
  /// false: refused for good (`reason`: SoldOut when the stock guard refused, UnknownItem,
  /// DuplicateRequest for another order with the same (sale, user, request)); it is recorded
  /// as failed and its units must be released.
  bool saved = false;
  domain::Outcome reason = domain::Outcome::kAccepted;
  std::string detail;
};

struct ItemAudit {
  domain::ItemId item;
  std::int64_t stock = 0;            ///< the item's stock in the system of record
  std::int64_t sold = 0;             ///< its sold counter (guarded: sold <= stock)
  std::int64_t confirmed_units = 0;  ///< units of its confirmed orders (up to the position)
  std::int64_t failed_units = 0;     ///< units of orders stored as failed (released)
  std::int64_t later_units = 0;      ///< units of confirmed orders after the position
};

/// Everything needed to check exact-N for one sale against the system of record. With a
/// queue position, confirmed orders are those queued at or before it (and those with no
/// recorded position); later ones are only counted in ItemAudit::later_units.
struct SaleAudit {
  std::vector<ItemAudit> items;
  std::vector<std::string> confirmed_order_ids;
  std::map<std::string, std::int64_t> units_by_user;  ///< confirmed units per user
  std::int64_t checkout_attempts = 0;  ///< recorded checkout attempts, whatever their answer
  std::int64_t checkout_holds = 0;     ///< distinct codes handed out (replays count once)
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
  virtual domain::Result<std::vector<SaveResult>> SaveBatch(
      std::span<const domain::Order> orders) = 0;

  /// Records checkout attempts. Idempotent per attempt id (recording one twice is a no-op).
  /// Thread-safe. Unavailable on a transient failure (nothing of the batch is written).
  virtual domain::Result<void> SaveAttempts(std::span<const domain::CheckoutAttempt> attempts) = 0;

  /// The stored order (confirmed or failed), nullopt when unknown. Thread-safe.
  virtual domain::Result<std::optional<domain::Order>> Find(const domain::OrderId& id) = 0;

  /// Units confirmed for one item of a sale. Thread-safe.
  virtual domain::Result<std::int64_t> CountSold(const domain::SaleId& sale,
                                                 const domain::ItemId& item) = 0;

  /// Stock, sold counters, confirmed orders (queued up to `up_to`, all when nullopt) and
  /// units per user of one sale, and its checkout attempts, read in one consistent snapshot.
  /// NotFound for a sale the repository does not hold. Thread-safe.
  virtual domain::Result<SaleAudit> Audit(const domain::SaleId& sale,
                                          std::optional<domain::QueuePosition> up_to) = 0;
};

}  // namespace flashsale::ports
