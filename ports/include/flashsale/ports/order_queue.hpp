#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "flashsale/domain/order.hpp"
#include "flashsale/domain/result.hpp"

namespace flashsale::ports {

/// An order handed to a consumer; `receipt` identifies the delivery for Ack.
struct QueuedOrder {
  std::string receipt;
  domain::Order order;
};

/// Durable hand-off from the hot path (StockStore::Reserve enqueues) to persistence.
/// At-least-once: an order delivered to a consumer stays pending until acknowledged; a
/// consumer that dies leaves it pending for ReclaimStale.
class OrderQueue {
 public:
  virtual ~OrderQueue() = default;

  /// Up to `max` orders never delivered before, waiting up to `wait` for the first one.
  /// They become pending for `consumer` (a name unique to one worker). Empty on timeout.
  /// Thread-safe across consumers; one consumer name is used by one thread at a time.
  /// Unavailable when the queue can't be reached (nothing is lost).
  virtual domain::Result<std::vector<QueuedOrder>> Pull(std::string_view consumer, std::size_t max,
                                                        std::chrono::milliseconds wait) = 0;

  /// Removes delivered orders for good. Idempotent: unknown or already acknowledged receipts
  /// are ignored. Thread-safe. Unavailable when unreachable (the orders stay pending).
  virtual domain::Result<void> Ack(const std::vector<std::string>& receipts) = 0;

  /// Takes over up to `max` orders pending for any consumer for longer than `idle` (a dead
  /// worker's batch) and delivers them to `consumer`. Thread-safe.
  virtual domain::Result<std::vector<QueuedOrder>> ReclaimStale(std::string_view consumer,
                                                                std::chrono::milliseconds idle,
                                                                std::size_t max) = 0;

  /// Orders not yet acknowledged (waiting + pending). Thread-safe, read-only.
  virtual domain::Result<std::size_t> Depth() = 0;
};

}  // namespace flashsale::ports
