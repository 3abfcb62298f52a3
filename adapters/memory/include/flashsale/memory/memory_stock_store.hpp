#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
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
/// with payload fingerprint, per-user limit, exact stock, sale window, release, dead letters.
/// Each Reserve is one critical section per sale, which also pushes the order into `queue`.
/// Completes inline. Thread-safe.
class MemoryStockStore final : public ports::StockStore {
 public:
  MemoryStockStore(MemoryOrderQueue& queue, const ports::Clock& clock,
                   MemoryStockOptions options = {});

  void Reserve(const domain::Reservation& reservation, ports::ReserveDone done) override;
  domain::Result<bool> Release(const domain::Order& order, domain::Outcome reason) override;
  domain::Result<bool> Load(const domain::Sale& sale) override;
  domain::Result<ports::StockSnapshot> Snapshot(const domain::SaleId& sale) override;
  domain::Result<std::optional<domain::OrderStatus>> FindOrderStatus(
      const domain::SaleId& sale, const domain::OrderId& order) override;
  void FetchBuyers(const domain::SaleId& sale, ports::BuyersDone done) override;
  void OnUnitsReturned(ports::UnitsReturnedListener listener) override;

  /// Orders released after a permanent failure, oldest first.
  std::vector<DeadLetter> DeadLetters(const domain::SaleId& sale) const;
  /// Units `user` holds in `sale` (bought, minus released).
  std::int64_t UnitsHeld(const domain::SaleId& sale, const domain::UserId& user) const;

 private:
  struct StoredAnswer {
    domain::PurchaseReply reply;
    std::string fingerprint;
    domain::TimePoint expires_at;
  };
  struct OrderRecord {
    domain::OrderStatus status;
    std::string answer_key;
  };
  struct SaleState {
    explicit SaleState(domain::Sale s) : sale(std::move(s)) {}
    std::mutex mu;
    domain::Sale sale;
    std::unordered_map<std::string, std::int64_t> remaining;  // item -> units
    std::unordered_map<std::string, std::int64_t> held;       // user -> units
    std::unordered_map<std::string, StoredAnswer> answers;    // "user/request" -> answer
    std::deque<std::pair<domain::TimePoint, std::string>> answer_expiry;  // FIFO (fixed TTL)
    std::unordered_map<std::string, OrderRecord> orders;                  // order id -> status
    std::vector<DeadLetter> dead;
    std::uint64_t buyers_version = 1;
    std::int64_t released = 0;
  };

  SaleState* Find(const domain::SaleId& sale) const;
  domain::PurchaseReply ReserveLocked(SaleState& state, const domain::Reservation& r);
  /// Window, item, stock and per-user limit: a refusal, or kAccepted when all pass.
  domain::PurchaseReply CheckLocked(const SaleState& state, const domain::PurchaseRequest& req,
                                    domain::TimePoint now) const;
  /// Enqueues the order and takes the units (Unavailable when the queue is full).
  domain::PurchaseReply AcceptLocked(SaleState& state, const domain::Reservation& r,
                                     const std::string& answer_key);
  void ExpireAnswersLocked(SaleState& state, domain::TimePoint now);

  MemoryOrderQueue& queue_;
  const ports::Clock& clock_;
  MemoryStockOptions options_;
  mutable std::shared_mutex sales_mu_;
  std::unordered_map<std::string, std::unique_ptr<SaleState>> sales_;
  std::mutex listeners_mu_;
  std::vector<ports::UnitsReturnedListener> listeners_;
};

}  // namespace flashsale::memory
