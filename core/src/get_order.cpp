#include "flashsale/core/get_order.hpp"

namespace flashsale::core {

GetOrder::GetOrder(ports::OrderRepository& orders, ports::StockStore& store)
    : orders_(orders), store_(store) {}

domain::Result<OrderView> GetOrder::Execute(std::string_view order_id,
                                            std::string_view sale_id) const {
  auto id = domain::OrderId::Parse(order_id);
  if (!id) return id.error();
  auto sale = domain::SaleId::Parse(sale_id);
  if (!sale) return sale.error();

  auto stored = orders_.Find(*id);
  if (!stored) return stored.error();
  if (stored->has_value()) {
    const domain::Order& order = **stored;
    return OrderView{order.id, order.status, order};
  }
  auto status = store_.FindOrderStatus(*sale, *id);
  if (!status) {
    if (status.error().outcome == domain::Outcome::kNotFound) {
      return domain::Error{domain::Outcome::kNotFound, "unknown order"};
    }
    return status.error();
  }
  if (!status->has_value()) return domain::Error{domain::Outcome::kNotFound, "unknown order"};
  return OrderView{*id, **status, std::nullopt};
}

}  // namespace flashsale::core
