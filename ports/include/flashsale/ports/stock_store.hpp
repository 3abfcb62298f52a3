#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "flashsale/domain/order.hpp"
#include "flashsale/domain/purchase.hpp"
#include "flashsale/domain/result.hpp"
#include "flashsale/domain/sale.hpp"

namespace flashsale::ports {

/// Completion of StockStore::Reserve. Called exactly once, on any thread (inline for the
/// memory store, on the store's I/O thread for Redis). It must not block.
using ReserveDone = std::function<void(domain::PurchaseReply)>;

/// Called when units of an item come back (release, hold expiry), possibly from another
/// process. Used to clear local sold-out flags. Called on any thread; must not block.
using UnitsReturnedListener = std::function<void(const domain::SaleId&, const domain::ItemId&)>;

struct ItemStock {
  domain::ItemId item;
  std::int64_t remaining = 0;  ///< units still on sale
};

/// Users holding units in a sale, at a version of the buyer set (see
/// PurchaseReply::buyers_version).
struct BuyerSet {
  std::uint64_t version = 0;
  std::vector<std::string> users;
};
using BuyersDone = std::function<void(domain::Result<BuyerSet>)>;

/// Point-in-time view of one sale's stock in the store.
struct StockSnapshot {
  std::vector<ItemStock> items;
  std::int64_t released_orders = 0;  ///< orders given back after a permanent failure
};

/// The hot-path stock: one atomic step per purchase.
class StockStore {
 public:
  virtual ~StockStore() = default;

  /// Atomically: replay a stored answer for the same (sale, user, request) key (a different
  /// payload fingerprint gives DuplicateRequest); refuse outside the sale window
  /// (SaleNotActive) or for an item or sale the store does not hold (UnknownItem); refuse
  /// when quantity > remaining (SoldOut) or when the user's units + quantity > the per-user
  /// limit (UserLimitReached); else decrement stock, count the units against the user,
  /// durably enqueue the order (the OrderQueue of the same backend) and store the answer
  /// for replay. All of it happens or none of it.
  /// Thread-safe. Idempotent per (sale, user, request). Stores only IsStorable() outcomes.
  /// Returns Unavailable (nothing written, nothing stored) when the store can't be reached.
  virtual void Reserve(const domain::Reservation& reservation, ReserveDone done) = 0;

  /// Gives an order's units back after it failed permanently: stock += quantity, the user's
  /// count -= quantity, the stored answer for its key now says `reason` with the order id
  /// (PurchaseReply::order_failed), its status becomes failed and it is recorded as a dead
  /// letter. Thread-safe. Idempotent per order id: true when released by this call, false
  /// when it had been released before. Unavailable when the store can't be reached.
  virtual domain::Result<bool> Release(const domain::Order& order, domain::Outcome reason) = 0;

  /// Makes a sale's stock and window live. Never overwrites a live sale: true when loaded by
  /// this call, false when the sale was already there (its stock untouched). Thread-safe.
  /// InvalidRequest for an invalid sale; Unavailable when unreachable.
  virtual domain::Result<bool> Load(const domain::Sale& sale) = 0;

  /// Remaining units per item. NotFound for a sale the store does not hold.
  /// Thread-safe, read-only.
  virtual domain::Result<StockSnapshot> Snapshot(const domain::SaleId& sale) = 0;

  /// pending or failed for an order the store accepted (confirmed is the repository's word);
  /// nullopt when the store does not know the order. Thread-safe, read-only.
  virtual domain::Result<std::optional<domain::OrderStatus>> FindOrderStatus(
      const domain::SaleId& sale, const domain::OrderId& order) = 0;

  /// The users who hold units in the sale, with the buyer-set version they belong to, read
  /// atomically. Completes like Reserve (any thread, must not block). NotFound for a sale
  /// the store does not hold; Unavailable when unreachable.
  virtual void FetchBuyers(const domain::SaleId& sale, BuyersDone done) = 0;

  /// Registers a listener for units coming back (see UnitsReturnedListener). Call before
  /// traffic starts; listeners live as long as the store.
  virtual void OnUnitsReturned(UnitsReturnedListener listener) = 0;
};

}  // namespace flashsale::ports
