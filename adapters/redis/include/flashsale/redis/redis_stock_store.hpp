#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "flashsale/ports/stock_store.hpp"
#include "flashsale/redis/pipeline.hpp"
#include "flashsale/redis/redis_options.hpp"

namespace flashsale::redis {

/// StockStore on Redis: each Reserve is one EVALSHA of reserve.lua (idempotency, window,
/// stock, per-user limit, DECRBY, HINCRBY, XADD of the order, stored answer with TTL), sent
/// through auto-pipelining connections. Release publishes on the units-returned channel,
/// which a subscriber thread in every instance turns into OnUnitsReturned calls.
/// Thread-safe.
class RedisStockStore final : public ports::StockStore {
 public:
  explicit RedisStockStore(RedisOptions options);
  ~RedisStockStore() override;

  void Reserve(const core::Reservation& reservation, ports::ReserveDone done) override;
  core::Result<bool> Release(const core::Order& order, core::Outcome reason) override;
  core::Result<bool> Load(const core::Sale& sale) override;
  core::Result<ports::StockSnapshot> Snapshot(const core::SaleId& sale) override;
  core::Result<std::optional<core::OrderStatus>> FindOrderStatus(
      const core::SaleId& sale, const core::OrderId& order) override;
  void FetchBuyers(const core::SaleId& sale, ports::BuyersDone done) override;
  void OnUnitsReturned(ports::UnitsReturnedListener listener) override;

  /// Units `user` holds in `sale` (for audits and tests).
  core::Result<std::int64_t> UnitsHeld(const core::SaleId& sale, const core::UserId& user);
  /// True when every hot-path connection is up (readiness).
  bool Healthy() const;

 private:
  Pipeline& Next();
  void Subscribe(std::stop_token stop);

  RedisOptions options_;
  std::vector<std::unique_ptr<Pipeline>> pipelines_;
  std::atomic<std::size_t> next_{0};
  std::mutex listeners_mu_;
  std::vector<ports::UnitsReturnedListener> listeners_;
  std::jthread subscriber_;
};

}  // namespace flashsale::redis
