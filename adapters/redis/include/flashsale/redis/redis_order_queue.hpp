#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "flashsale/ports/logger.hpp"
#include "flashsale/ports/order_queue.hpp"
#include "flashsale/redis/connection.hpp"
#include "flashsale/redis/redis_options.hpp"
#include "flashsale/redis/router.hpp"

namespace flashsale::redis {

/// OrderQueue on the sales' order streams (fs:{S}:orders) with consumer group "persist":
/// Pull = XREADGROUP over every known sale, Ack = XACK + XDEL in one function (fs_ack)
/// (acknowledged entries are deleted, so the stream only holds unacknowledged orders), ReclaimStale
/// = XAUTOCLAIM. Sales are discovered from fs:sales (refreshed at most every second) or added with
/// Watch. On a standalone Redis each consumer gets its own connection (one XREADGROUP BLOCKs over
/// every sale's stream). On a Redis Cluster a multi-key command must stay in one slot, so a Pull
/// sends one XREADGROUP per sale, each to the master that owns the sale, pipelined per master
/// (one round trip per master), and pauses briefly when nothing came. Other calls go through an
/// auto-pipelining Router. Thread-safe.
class RedisOrderQueue final : public ports::OrderQueue {
 public:
  /// `log` receives what operators must see (malformed stream entries).
  RedisOrderQueue(RedisOptions options, ports::Logger& log);
  ~RedisOrderQueue() override;

  domain::Result<std::vector<ports::QueuedEntry>> Pull(std::string_view consumer, std::size_t max,
                                                       std::chrono::milliseconds wait) override;
  domain::Result<void> Ack(const std::vector<std::string>& receipts) override;
  domain::Result<std::vector<ports::QueuedEntry>> ReclaimStale(std::string_view consumer,
                                                               std::chrono::milliseconds idle,
                                                               std::size_t max) override;
  domain::Result<std::size_t> Depth() override;

  /// Consume this sale's stream from now on (also discovered automatically; a split sale's
  /// sub-stocks are found in fs:sales, read again on the next Pull).
  void Watch(const domain::SaleId& sale);

 private:
  std::vector<std::string> Sales();
  /// The consumer's own connection (XREADGROUP blocks on it), or a new one; null when Redis
  /// can't be reached. GiveBack keeps it for the next Pull unless it died.
  std::unique_ptr<Connection> TakeConsumer(std::string_view consumer);
  void GiveBack(std::string_view consumer, std::unique_ptr<Connection> connection);
  domain::Result<std::vector<ports::QueuedEntry>> ReadGroup(Connection& connection,
                                                            std::string_view consumer,
                                                            std::size_t max,
                                                            std::chrono::milliseconds wait);
  /// Cluster: PollEachSale until something comes or `wait` is over.
  domain::Result<std::vector<ports::QueuedEntry>> ReadEachSale(std::string_view consumer,
                                                               std::size_t max,
                                                               std::chrono::milliseconds wait);
  /// One XREADGROUP (no BLOCK) per sale, at most `max` sales taken in turn, all in flight at
  /// once.
  domain::Result<std::vector<ports::QueuedEntry>> PollEachSale(std::string_view consumer,
                                                               std::size_t max);
  domain::Result<void> EnsureGroup(const std::string& stream);
  /// After NOGROUP: forgets sales that no longer exist, creates missing groups of the others.
  domain::Result<void> SettleGroups(const std::vector<std::string>& sales);
  std::vector<ports::QueuedEntry> ParseEntries(const std::string& sale, const redisReply* entries);

  RedisOptions options_;
  ports::Logger& log_;
  Router router_;
  std::mutex mu_;
  std::set<std::string> sales_;
  std::chrono::steady_clock::time_point sales_refreshed_{};
  std::size_t next_sale_ = 0;                                     // the stream a Pull starts at
  std::map<std::string, std::unique_ptr<Connection>> consumers_;  // blocking reads
};

}  // namespace flashsale::redis
