#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <thread>
#include <unordered_map>
#include <vector>

#include "flashsale/ports/stock_store.hpp"
#include "flashsale/redis/redis_options.hpp"
#include "flashsale/redis/router.hpp"

namespace flashsale::redis {

/// StockStore on Redis: each Reserve is one FCALL of fs_reserve (lua/reserve.lua) (idempotency,
/// window, stock, per-user limit, DECRBY, HINCRBY, XADD of the order, stored answer with TTL), sent
/// through auto-pipelining connections to the node that owns the sale's slot (a standalone Redis
/// or a Redis Cluster: see Router). Release publishes on the units-returned channel,
/// which a subscriber thread in every instance turns into OnUnitsReturned calls.
/// Thread-safe.
class RedisStockStore final : public ports::StockStore {
 public:
  explicit RedisStockStore(RedisOptions options);
  ~RedisStockStore() override;

  void Reserve(const domain::Reservation& reservation, ports::ReserveDone done) override;
  /// True: a reservation's rate buckets are drawn by the reserve function itself, as fields of
  /// the sale's bucket hash (Keys::RateBuckets), in the same FCALL.
  bool DrawsRateBuckets() const override { return true; }
  void Checkout(const domain::HoldRequest& hold, ports::CheckoutDone done) override;
  void Complete(const domain::Completion& completion, ports::CompleteDone done) override;
  domain::Result<std::size_t> ExpireHolds(const domain::SaleId& sale, domain::TimePoint now,
                                          std::size_t max) override;
  domain::Result<bool> Retire(const domain::SaleId& sale, domain::TimePoint now,
                              std::chrono::milliseconds retention) override;
  domain::Result<ports::StoreAudit> Audit(const domain::SaleId& sale) override;
  domain::Result<bool> CloseSale(const domain::SaleId& sale, domain::TimePoint at) override;
  /// The members of fs:sales.
  domain::Result<std::vector<domain::SaleId>> LiveSales() override;
  /// Stops the I/O threads: pending calls are answered Unavailable now, on the caller's thread,
  /// and no callback runs after this returns. Call before destroying what the callbacks use
  /// (front doors, use cases). Idempotent.
  void Close();
  domain::Result<bool> Release(const domain::Order& order, domain::Outcome reason) override;
  domain::Result<bool> Load(const domain::Sale& sale) override;
  domain::Result<ports::StockSnapshot> Snapshot(const domain::SaleId& sale) override;
  domain::Result<std::optional<domain::OrderStatus>> FindOrderStatus(
      const domain::SaleId& sale, const domain::OrderId& order) override;
  void FetchBuyers(const domain::SaleId& sale, ports::BuyersDone done) override;
  void OnUnitsReturned(ports::UnitsReturnedListener listener) override;

  /// Units `user` holds in `sale` (for audits and tests).
  domain::Result<std::int64_t> UnitsHeld(const domain::SaleId& sale, const domain::UserId& user);
  /// True when every hot-path connection is up (readiness).
  bool Healthy() const;
  /// The hot-path connections, for an adapter whose calls precede a Reserve and should share
  /// their I/O threads and round trips (RedisRateLimiter). Stopped by Close.
  Router& HotRouter() { return router_; }

 private:
  struct SplitReserve;
  void Subscribe(std::stop_token stop);
  /// The sale's sub-stocks as stored with it (meta 'shards'; 1 for a sale not split, or not
  /// loaded yet). Read once per sale and process, then cached (it never changes); a sale not
  /// loaded is not cached. Blocking: never call it on an I/O thread (Reserve, Checkout and
  /// FetchBuyers, which may run there, use the cache and asynchronous reads).
  domain::Result<int> ShardsOf(const domain::SaleId& sale);
  std::optional<int> CachedShards(const domain::SaleId& sale);
  /// Caches the count (clamped to 1..Keys::kMaxShards) and returns what it cached.
  int RememberShards(const domain::SaleId& sale, int shards);
  void ForgetShards(const domain::SaleId& sale);
  /// The count from an `HMGET meta starts_at shards` reply, cached; nullopt (not cached) for
  /// a sale not loaded.
  std::optional<int> LearnShards(const domain::SaleId& sale, const redisReply* starts_and_shards);
  /// The count without blocking: `next` runs inline when cached, else on an I/O thread after
  /// one HMGET; nullopt for a sale not loaded (not cached); an error when unreachable.
  void WithShards(const domain::SaleId& sale,
                  std::function<void(domain::Result<std::optional<int>>)> next);
  /// FetchBuyers once the sale's sub-stocks are known.
  void FetchBuyersIn(const domain::SaleId& sale, int shards, ports::BuyersDone done);
  /// A fs4_reserve reply as the answer (a 'shards' reply: the count is learnt, Unavailable).
  domain::PurchaseReply AnswerOf(const domain::SaleId& sale, domain::Result<Reply> raw);
  /// Reserve once the sale's sub-stocks are known.
  void ReserveIn(const domain::Reservation& r, int shards, ports::ReserveDone done);
  /// FCALL of fs4_reserve on one sub-stock of a sale of `shards`; `draw` adds the
  /// reservation's rate buckets.
  void SendReserve(const domain::Reservation& r, int shard, int shards, bool draw,
                   Router::Callback done);
  /// FCALL with `replicated` (WAIT, see Pipeline::Send) from a thread that may block.
  domain::Result<Reply> CallReplicated(std::string_view function,
                                       const std::vector<std::string>& keys,
                                       const std::vector<std::string>& args);
  /// Reserve on a split sale: at the user's home sub-stock, moving units there from the
  /// others while it is short (redis_sub_stocks.cpp).
  void ReserveSplit(const domain::Reservation& r, int shards, ports::ReserveDone done);
  /// Credits the transfers recorded before `before` (their mover died or is slow) to their
  /// receiving sub-stocks and deletes their records; how many were found.
  domain::Result<std::size_t> FinishTransfers(const domain::SaleId& sale, int shards,
                                              domain::TimePoint before);
  /// Adds to `items`' remaining the units taken out of a sub-stock and not credited to
  /// another yet (they are still on sale).
  domain::Result<void> AddUnitsMoving(const domain::SaleId& sale, int shards,
                                      std::vector<ports::ItemStock>& items);
  /// One sub-stock's part of Snapshot / Audit / Retire.
  domain::Result<ports::StockSnapshot> SnapshotShard(const domain::SaleId& sale, int shard);
  domain::Result<ports::StoreAudit> AuditShard(const domain::SaleId& sale, int shard);
  domain::Result<bool> LoadShard(const domain::Sale& sale, int shard, int shards);

  RedisOptions options_;
  Router router_;
  std::mutex subscribed_mu_;
  std::condition_variable subscribed_cv_;
  bool subscribed_ = false;  // the units-returned subscription was confirmed once
  std::mutex listeners_mu_;
  std::vector<ports::UnitsReturnedListener> listeners_;
  std::jthread subscriber_;
  std::shared_mutex shards_mu_;
  std::unordered_map<std::string, int> shards_;  // sale id -> sub-stocks (ShardsOf)
};

}  // namespace flashsale::redis
