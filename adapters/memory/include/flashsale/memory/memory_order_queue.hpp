#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "flashsale/ports/order_queue.hpp"

namespace flashsale::memory {

struct MemoryQueueOptions {
  /// Most orders held (waiting + pending). A full queue makes Reserve answer Unavailable.
  /// Default 1,000,000.
  std::size_t capacity = 1'000'000;
};

/// In-process OrderQueue with the same delivery contract as the Redis stream (pending per
/// consumer, ack, reclaim). Not durable: it lives and dies with the process. Thread-safe.
class MemoryOrderQueue final : public ports::OrderQueue {
 public:
  explicit MemoryOrderQueue(MemoryQueueOptions options = {});

  /// Appends an order / a checkout attempt; false when full. Used by MemoryStockStore inside
  /// its atomic step.
  bool TryPush(const domain::Order& order);
  bool TryPush(const domain::CheckoutAttempt& attempt);
  /// Entries of `sale` not yet acknowledged (waiting + pending).
  std::size_t CountFor(const domain::SaleId& sale) const;
  /// Orders of `sale` not yet acknowledged, and the sequence number of the last entry queued
  /// (of any sale; 0 when none), read together.
  std::pair<std::vector<domain::Order>, std::uint64_t> OrdersOf(const domain::SaleId& sale) const;

  domain::Result<std::vector<ports::QueuedEntry>> Pull(std::string_view consumer, std::size_t max,
                                                       std::chrono::milliseconds wait) override;
  domain::Result<void> Ack(const std::vector<std::string>& receipts) override;
  domain::Result<std::vector<ports::QueuedEntry>> ReclaimStale(std::string_view consumer,
                                                               std::chrono::milliseconds idle,
                                                               std::size_t max) override;
  domain::Result<std::size_t> Depth() override;

 private:
  struct Entry {
    std::optional<domain::Order> order;
    std::optional<domain::CheckoutAttempt> attempt;
    const domain::SaleId& sale() const { return order ? order->sale : attempt->sale; }
  };
  struct Pending {
    std::string consumer;
    std::chrono::steady_clock::time_point delivered_at;
    Entry entry;
  };
  bool Push(Entry entry);
  static ports::QueuedEntry Deliver(std::uint64_t seq, const Entry& entry);

  MemoryQueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable ready_cv_;
  std::uint64_t next_seq_ = 1;
  std::deque<std::pair<std::uint64_t, Entry>> ready_;
  std::map<std::uint64_t, Pending> pending_;
};

}  // namespace flashsale::memory
