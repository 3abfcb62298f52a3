#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/order.hpp"
#include "flashsale/domain/result.hpp"

namespace flashsale::ports {

/// One entry handed to a consumer: an accepted order to persist, or a checkout attempt to
/// record (exactly one of the two is set). `receipt` identifies the delivery for Ack.
struct QueuedEntry {
  std::string receipt;
  std::optional<domain::Order> order;
  std::optional<domain::CheckoutAttempt> attempt;
};

/// Durable hand-off from the hot path (StockStore::Reserve and Complete enqueue orders,
/// Checkout enqueues attempts) to persistence.
/// At-least-once: an order delivered to a consumer stays pending until acknowledged; a
/// consumer that dies leaves it pending for ReclaimStale.
class OrderQueue {
 public:
  virtual ~OrderQueue() = default;

  /// Up to `max` entries never delivered before, waiting up to `wait` for the first one.
  /// They become pending for `consumer` (a name unique to one worker). Empty on timeout.
  /// Thread-safe across consumers; one consumer name is used by one thread at a time.
  /// Unavailable when the queue can't be reached (nothing is lost).
  virtual domain::Result<std::vector<QueuedEntry>> Pull(std::string_view consumer, std::size_t max,
                                                        std::chrono::milliseconds wait) = 0;

  /// Removes delivered orders for good. Idempotent: unknown or already acknowledged receipts
  /// are ignored. Thread-safe. Unavailable when unreachable (the orders stay pending).
  virtual domain::Result<void> Ack(const std::vector<std::string>& receipts) = 0;

  /// Takes over up to `max` orders pending for any consumer for longer than `idle` (a dead
  /// worker's batch) and delivers them to `consumer`. Thread-safe.
  virtual domain::Result<std::vector<QueuedEntry>> ReclaimStale(std::string_view consumer,
                                                                std::chrono::milliseconds idle,
                                                                std::size_t max) = 0;

  /// Entries not yet acknowledged (waiting + pending). Thread-safe, read-only.
  virtual domain::Result<std::size_t> Depth() = 0;
};

}  // namespace flashsale::ports
