#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>

#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/quantity.hpp"
#include "flashsale/domain/time.hpp"

namespace flashsale::domain {

/// pending: accepted and reserved, waiting in the queue; confirmed: persisted in the system of
/// record; failed: could not be persisted, units given back.
enum class OrderStatus { kPending, kConfirmed, kFailed };

std::string_view ToString(OrderStatus status) noexcept;
bool FromString(std::string_view name, OrderStatus& out) noexcept;

/// Where an order sits in the durable queue: the order in which orders were accepted, per
/// sale (a Redis stream entry id "ms-seq"; the memory queue's sequence number). An audit
/// snapshot of the store names the last position it saw, so the system of record's side can
/// leave out orders accepted after it.
struct QueuePosition {
  std::int64_t major = 0;
  std::int64_t minor = 0;
  friend auto operator<=>(const QueuePosition&, const QueuePosition&) = default;
};

struct Order {
  OrderId id;
  SaleId sale;
  ItemId item;
  UserId user;
  RequestId request;
  Quantity quantity;
  std::int64_t unit_price_cents = 0;
  OrderStatus status = OrderStatus::kPending;
  TimePoint created_at;
  /// Set when the order was read from a queue (persisted with the order).
  std::optional<QueuePosition> position = std::nullopt;
};

}  // namespace flashsale::domain
