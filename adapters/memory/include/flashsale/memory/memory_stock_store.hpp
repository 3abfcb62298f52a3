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
  core::Order order;
  core::Outcome reason;
};

/// In-process StockStore with the full contract of the Redis store: stored-answer idempotency
/// with payload fingerprint, per-user limit, exact stock, sale window, release, dead letters.
/// Each Reserve is one critical section per sale, which also pushes the order into `queue`.
/// Completes inline. Thread-safe.
class MemoryStockStore final : public ports::StockStore {
 public:
  MemoryStockStore(MemoryOrderQueue& queue, const ports::Clock& clock,
                   MemoryStockOptions options = {});

  void Reserve(const core::Reservation& reservation, ports::ReserveDone done) override;
  core::Result<bool> Release(const core::Order& order, core::Outcome reason) override;
  core::Result<bool> Load(const core::Sale& sale) override;
  core::Result<ports::StockSnapshot> Snapshot(const core::SaleId& sale) override;
  core::Result<std::optional<core::OrderStatus>> FindOrderStatus(
      const core::SaleId& sale, const core::OrderId& order) override;
  void FetchBuyers(const core::SaleId& sale, ports::BuyersDone done) override;
  void OnUnitsReturned(ports::UnitsReturnedListener listener) override;

  /// Orders released after a permanent failure, oldest first.
  std::vector<DeadLetter> DeadLetters(const core::SaleId& sale) const;
  /// Units `user` holds in `sale` (bought, minus released).
  std::int64_t UnitsHeld(const core::SaleId& sale, const core::UserId& user) const;

 private:
  struct StoredAnswer {
    core::PurchaseReply reply;
    std::string fingerprint;
    core::TimePoint expires_at;
  };
  struct OrderRecord {
    core::OrderStatus status;
    std::string answer_key;
  };
  struct SaleState {
    explicit SaleState(core::Sale s) : sale(std::move(s)) {}
    std::mutex mu;
    core::Sale sale;
    std::unordered_map<std::string, std::int64_t> remaining;            // item -> units
    std::unordered_map<std::string, std::int64_t> held;                 // user -> units
    std::unordered_map<std::string, StoredAnswer> answers;              // "user/request" -> answer
    std::deque<std::pair<core::TimePoint, std::string>> answer_expiry;  // FIFO (fixed TTL)
    std::unordered_map<std::string, OrderRecord> orders;                // order id -> status
    std::vector<DeadLetter> dead;
    std::uint64_t buyers_version = 1;
    std::int64_t released = 0;
  };

  SaleState* Find(const core::SaleId& sale) const;
  core::PurchaseReply ReserveLocked(SaleState& state, const core::Reservation& r);
  void ExpireAnswersLocked(SaleState& state, core::TimePoint now);

  MemoryOrderQueue& queue_;
  const ports::Clock& clock_;
  MemoryStockOptions options_;
  mutable std::shared_mutex sales_mu_;
  std::unordered_map<std::string, std::unique_ptr<SaleState>> sales_;
  std::mutex listeners_mu_;
  std::vector<ports::UnitsReturnedListener> listeners_;
};

}  // namespace flashsale::memory
