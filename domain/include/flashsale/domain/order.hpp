#pragma once

#include <cstdint>
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
};

}  // namespace flashsale::domain
