#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "flashsale/memory/memory_order_queue.hpp"
#include "flashsale/ports/clock.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::memory {

struct MemoryStockOptions {
  /// How long a stored answer is replayed for its (user, request) key. Default 24 h.
  std::chrono::milliseconds idempotency_ttl = std::chrono::hours(24);
};

/// An order given back after a permanent persistence failure.
struct DeadLetter {
  domain::Order order;
  domain::Outcome reason;
};

/// In-process StockStore with the full contract of the Redis store: stored-answer idempotency
/// with payload fingerprint, per-user limit, exact stock, sale window, holds with expiry,
/// release, dead letters, retirement. Each call is one critical section per sale, which also
/// pushes orders and checkout attempts into `queue`. Completes inline. Thread-safe.
class MemoryStockStore final : public ports::StockStore {
 public:
  MemoryStockStore(MemoryOrderQueue& queue, const ports::Clock& clock,
                   MemoryStockOptions options = {});

  void Reserve(const domain::Reservation& reservation, ports::ReserveDone done) override;
  void Checkout(const domain::HoldRequest& hold, ports::CheckoutDone done) override;
  void Complete(const domain::Completion& completion, ports::CompleteDone done) override;
  domain::Result<std::size_t> ExpireHolds(const domain::SaleId& sale, domain::TimePoint now,
                                          std::size_t max) override;
  domain::Result<bool> Retire(const domain::SaleId& sale, domain::TimePoint now,
                              std::chrono::milliseconds retention) override;
  domain::Result<std::vector<domain::SaleId>> LiveSales() override;
  domain::Result<ports::StoreAudit> Audit(const domain::SaleId& sale) override;
  domain::Result<bool> CloseSale(const domain::SaleId& sale, domain::TimePoint at) override;
  domain::Result<bool> Release(const domain::Order& order, domain::Outcome reason) override;
  domain::Result<bool> Load(const domain::Sale& sale) override;
  domain::Result<ports::StockSnapshot> Snapshot(const domain::SaleId& sale) override;
  domain::Result<std::optional<domain::OrderStatus>> FindOrderStatus(
      const domain::SaleId& sale, const domain::OrderId& order) override;
  void FetchBuyers(const domain::SaleId& sale, ports::BuyersDone done) override;
  void OnUnitsReturned(ports::UnitsReturnedListener listener) override;

  /// Orders released after a permanent failure, oldest first.
  std::vector<DeadLetter> DeadLetters(const domain::SaleId& sale) const;
  /// Units `user` holds in `sale` (bought or held by a checkout, minus released/expired).
  std::int64_t UnitsHeld(const domain::SaleId& sale, const domain::UserId& user) const;

 private:
  /// Stored answers for replay, expiring after the idempotency TTL.
  template <class Reply>
  struct Answers {
    struct Stored {
      Reply reply;
      std::string fingerprint;
      domain::TimePoint expires_at;
    };
    std::unordered_map<std::string, Stored> by_key;              // "user/request" -> answer
    std::deque<std::pair<domain::TimePoint, std::string>> fifo;  // expiry order (fixed TTL)
    void Expire(domain::TimePoint now) {
      while (!fifo.empty() && fifo.front().first <= now) {
        auto it = by_key.find(fifo.front().second);
        if (it != by_key.end() && it->second.expires_at <= now) by_key.erase(it);
        fifo.pop_front();
      }
    }
  };
  struct OrderRecord {
    domain::OrderStatus status;
    std::string answer_key;
  };
  enum class HoldState { kHeld, kUsed, kExpired };
  struct Hold {
    domain::CheckoutCode code;
    domain::ItemId item;
    domain::UserId user;
    std::int32_t quantity = 1;
    std::int64_t price_cents = 0;
    domain::TimePoint expires_at;
    HoldState state = HoldState::kHeld;
    std::optional<domain::Order> order;  ///< once used
    std::optional<domain::RequestId> redeemed_with;
  };
  struct SaleState {
    explicit SaleState(domain::Sale s) : sale(std::move(s)) {}
    std::mutex mu;
    domain::Sale sale;
    std::unordered_map<std::string, std::int64_t> remaining;   // item -> units
    std::unordered_map<std::string, std::int64_t> user_units;  // user -> units bought or held
    std::unordered_map<std::string, std::int64_t> held;        // item -> units held
    Answers<domain::PurchaseReply> answers;
    Answers<domain::CheckoutReply> checkout_answers;
    std::unordered_map<std::string, OrderRecord> orders;  // order id -> status
    std::unordered_map<std::string, Hold> holds;          // code -> hold (kept after use/expiry)
    std::multimap<domain::TimePoint, std::string> active_holds;  // expiry -> code
    std::vector<DeadLetter> dead;
    std::uint64_t buyers_version = 1;
    std::int64_t released = 0;
    std::optional<domain::TimePoint> retire_at;  ///< gone from the store after this
  };

  /// The sale's state, nullptr when unknown or retired.
  SaleState* Find(const domain::SaleId& sale) const;
  domain::PurchaseReply ReserveLocked(SaleState& state, const domain::Reservation& r);
  /// Window, item, stock and per-user limit for `quantity` units of `item` by `user`: a
  /// refusal, or kAccepted when all pass.
  domain::Outcome CheckLocked(const SaleState& state, const domain::ItemId& item,
                              const domain::UserId& user, std::int64_t quantity,
                              domain::TimePoint now) const;
  domain::PurchaseReply AcceptLocked(SaleState& state, const domain::Reservation& r,
                                     const std::string& answer_key);
  domain::CheckoutReply CheckoutLocked(SaleState& state, const domain::HoldRequest& hold);
  /// The answer to a fresh checkout (no stored answer), without changing anything.
  domain::CheckoutReply DecideCheckout(const SaleState& state,
                                       const domain::HoldRequest& hold) const;
  /// Takes the unit of an accepted checkout: the hold, stock, held, the user's count.
  void TakeHoldLocked(SaleState& state, const domain::HoldRequest& hold,
                      const domain::CheckoutReply& reply);
  /// `returned`: the item whose unit went back (a hold found expired at redemption).
  domain::CompleteReply CompleteLocked(SaleState& state, const domain::Completion& completion,
                                       std::optional<domain::ItemId>& returned);
  /// Gives a hold's unit back (stock, the user's count); the hold becomes expired.
  void ExpireLocked(SaleState& state, Hold& hold);
  void NotifyUnitsReturned(const domain::SaleId& sale, const domain::ItemId& item);

  MemoryOrderQueue& queue_;
  const ports::Clock& clock_;
  MemoryStockOptions options_;
  mutable std::shared_mutex sales_mu_;
  std::unordered_map<std::string, std::unique_ptr<SaleState>> sales_;
  std::mutex listeners_mu_;
  std::vector<ports::UnitsReturnedListener> listeners_;
};

}  // namespace flashsale::memory
