#pragma once

#include <optional>
#include <string_view>

#include "flashsale/domain/order.hpp"
#include "flashsale/domain/result.hpp"
#include "flashsale/ports/order_repository.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::core {

struct OrderView {
  domain::OrderId id;
  domain::OrderStatus status = domain::OrderStatus::kPending;
  /// Full order when the repository holds it (confirmed or failed).
  std::optional<domain::Order> order;
};

/// Order status lookup: the repository (system of record) first, then the stock store for
/// orders still waiting in the queue or released. Blocking; call it off I/O threads.
/// Thread-safe.
class GetOrder {
 public:
  GetOrder(ports::OrderRepository& orders, ports::StockStore& store);

  /// InvalidRequest for a malformed id, NotFound when neither side knows the order,
  /// Unavailable when a backend can't be reached.
  domain::Result<OrderView> Execute(std::string_view order_id, std::string_view sale_id) const;

 private:
  ports::OrderRepository& orders_;
  ports::StockStore& store_;
};

}  // namespace flashsale::core
