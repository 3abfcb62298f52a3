#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/order.hpp"
#include "flashsale/domain/purchase.hpp"
#include "flashsale/domain/result.hpp"
#include "flashsale/domain/sale.hpp"

namespace flashsale::ports {

/// Completion of StockStore::Reserve. Called exactly once, on any thread (inline for the
/// memory store, on the store's I/O thread for Redis). It must not block.
using ReserveDone = std::function<void(domain::PurchaseReply)>;
/// Completions of StockStore::Checkout and StockStore::Complete, called like ReserveDone.
using CheckoutDone = std::function<void(domain::CheckoutReply)>;
using CompleteDone = std::function<void(domain::CompleteReply)>;

/// Called when units of an item come back (release, hold expiry), possibly from another
/// process. Used to clear local sold-out flags. Called on any thread; must not block.
using UnitsReturnedListener = std::function<void(const domain::SaleId&, const domain::ItemId&)>;

struct ItemStock {
  domain::ItemId item;
  std::int64_t remaining = 0;  ///< units still on sale
  std::int64_t held = 0;       ///< units held by unexpired, unredeemed checkouts
};

/// Users holding units in a sale, at a version of the buyer set (see
/// PurchaseReply::buyers_version).
struct BuyerSet {
  std::uint64_t version = 0;
  std::vector<std::string> users;
};
using BuyersDone = std::function<void(domain::Result<BuyerSet>)>;

/// An order the store has accepted and still holds in its queue (not acknowledged, not
/// released): pending persistence, or persisted but not yet acknowledged.
struct QueuedOrderRef {
  domain::OrderId id;
  domain::ItemId item;
  domain::UserId user;
  std::int64_t quantity = 0;
};

/// One atomic read of a sale in the store, for audits.
struct StoreAudit {
  std::vector<ItemStock> items;        ///< remaining and held per item
  std::vector<QueuedOrderRef> queued;  ///< orders in the queue, not released
  /// The last order queued for the sale when the read happened (nullopt: none yet); the
  /// system of record's side of an audit counts orders up to it.
  std::optional<domain::QueuePosition> position;
  std::int64_t released_orders = 0;  ///< orders given back after a permanent failure
  std::int64_t dead_letters = 0;     ///< entries in the dead-letter record
  std::int64_t max_user_units = 0;   ///< the most units (bought + held) one user has
};

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
  /// With `reservation.rate_buckets` (only for a store whose DrawsRateBuckets() is true),
  /// first of all: when every bucket has a token one is taken from each and the reply's
  /// `rate` says so; otherwise none is taken, the answer is RateLimited with `rate` set, and
  /// nothing else is read or written (no replay, nothing stored).
  virtual void Reserve(const domain::Reservation& reservation, ReserveDone done) = 0;

  /// True when Reserve draws `Reservation::rate_buckets` itself, in the same atomic step:
  /// then the buckets of a purchase cost no separate call (core::LimitRequests). Buckets a
  /// store draws are its own, apart from a RateLimiter's (Redis: per sale).
  virtual bool DrawsRateBuckets() const { return false; }

  /// Two-step buying, step one. Atomically: with a request id, replay the stored answer for
  /// (sale, user, request) (another payload: DuplicateRequest); refuse outside the sale window
  /// (SaleNotActive) or an item the sale does not have (UnknownItem); SoldOut when no unit is
  /// left; UserLimitReached when the user's units (held + bought) + 1 > the limit; else take
  /// one unit, count it against the user, and hold it under `hold.code` until
  /// `hold.expires_at`. Every attempt that reaches a sale the store holds is recorded on the
  /// queue (a CheckoutAttempt with `hold.attempt` as id) in the same step, whatever its
  /// answer. Thread-safe; Unavailable (nothing written) when the store can't be reached.
  virtual void Checkout(const domain::HoldRequest& hold, CheckoutDone done) = 0;

  /// Two-step buying, step two. Atomically: UnknownCheckout for a code with no hold;
  /// CheckoutUsed (with `used_by`) for a code already redeemed, except that the same request
  /// id gets the same order again (replayed); CheckoutExpired when `now` >= the hold's expiry
  /// (its unit goes back now if the sweep has not given it back yet); else the hold is
  /// consumed and the order (`order_id`, request id = the code's OrderRequestId, quantity and
  /// price of the hold, created at `now`) is enqueued as pending, in the same step. A code
  /// stays redeemable until its own expiry even when its sale has ended. Of two concurrent
  /// redemptions, or a redemption and the expiry sweep, exactly one wins. Thread-safe;
  /// Unavailable (nothing written) when the store can't be reached.
  virtual void Complete(const domain::Completion& completion, CompleteDone done) = 0;

  /// Gives back the units of up to `max` holds of `sale` whose expiry is <= `now` (stock and
  /// the user's count), atomically per hold. Idempotent and safe from any number of callers
  /// at once. Returns how many holds this call expired. Blocking; thread-safe.
  virtual domain::Result<std::size_t> ExpireHolds(const domain::SaleId& sale, domain::TimePoint now,
                                                  std::size_t max) = 0;

  /// When `sale` has ended (`now` >= its end), has no active hold and no order waiting in its
  /// queue, every trace of it in the store expires after `retention` and queue consumers stop
  /// reading it: true (also when retired before); false when it is not retirable yet.
  /// NotFound for a sale the store does not hold. Blocking; thread-safe.
  virtual domain::Result<bool> Retire(const domain::SaleId& sale, domain::TimePoint now,
                                      std::chrono::milliseconds retention) = 0;

  /// The sales the store holds and has not retired: those that may still have active holds
  /// or queued entries, which the expiry sweep and retirement go through. Blocking;
  /// thread-safe; Unavailable when unreachable.
  virtual domain::Result<std::vector<domain::SaleId>> LiveSales() = 0;

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

  /// Ends a sale's window at `at` (SaleRepository::Close's rule) so that every Reserve and
  /// Checkout from then on is SaleNotActive; queued orders still persist and holds stay
  /// redeemable until their own expiry. true when this call moved the end, false when the
  /// sale had ended by `at`. NotFound for a sale the store does not hold. Blocking;
  /// thread-safe.
  virtual domain::Result<bool> CloseSale(const domain::SaleId& sale, domain::TimePoint at) = 0;

  /// Remaining units per item. NotFound for a sale the store does not hold.
  /// Thread-safe, read-only.
  virtual domain::Result<StockSnapshot> Snapshot(const domain::SaleId& sale) = 0;

  /// Everything an audit needs from the store about one sale, read atomically (one point in
  /// time) while the sale may be under load. NotFound for a sale the store does not hold.
  /// Blocking; thread-safe.
  virtual domain::Result<StoreAudit> Audit(const domain::SaleId& sale) = 0;

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
