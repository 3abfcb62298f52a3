#include "flashsale/core/get_order.hpp"

namespace flashsale::core {

GetOrder::GetOrder(ports::OrderRepository& orders, ports::StockStore& store)
    : orders_(orders), store_(store) {}

Result<OrderView> GetOrder::Execute(std::string_view order_id, std::string_view sale_id) const {
  auto id = OrderId::Parse(order_id);
  if (!id) return id.error();
  auto sale = SaleId::Parse(sale_id);
  if (!sale) return sale.error();

  auto stored = orders_.Find(*id);
  if (!stored) return stored.error();
  if (stored->has_value()) {
    const Order& order = **stored;
    return OrderView{order.id, order.status, order};
  }
  auto status = store_.FindOrderStatus(*sale, *id);
  if (!status) {
    if (status.error().outcome == Outcome::kUnknownItem) {
      return Error{Outcome::kUnknownItem, "unknown order"};
    }
    return status.error();
  }
  if (!status->has_value()) return Error{Outcome::kUnknownItem, "unknown order"};
  return OrderView{*id, **status, std::nullopt};
}

}  // namespace flashsale::core
