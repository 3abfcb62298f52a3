#pragma once

#include <string>
#include <string_view>

#include "flashsale/domain/order.hpp"
#include "flashsale/domain/purchase.hpp"
#include "flashsale/domain/sale.hpp"

namespace flashsale::testing {

/// Parses an id that a test knows is valid.
template <class IdT>
IdT MakeId(std::string_view raw) {
  return *IdT::Parse(raw);
}

inline domain::Sale MakeSale(std::string_view id, std::int64_t stock, std::int32_t limit,
                             domain::TimePoint starts, domain::TimePoint ends,
                             std::string_view item = "item-1", std::int64_t price = 999) {
  domain::Sale sale{MakeId<domain::SaleId>(id), {}, limit, starts, ends};
  sale.items.push_back(
      domain::SaleItem{MakeId<domain::ItemId>(item), stock, price, std::string(item)});
  return sale;
}

inline domain::PurchaseRequest MakeRequest(std::string_view sale, std::string_view item,
                                           std::string_view user, std::string_view request,
                                           std::int32_t quantity = 1) {
  return domain::PurchaseRequest{MakeId<domain::SaleId>(sale), MakeId<domain::ItemId>(item),
                                 MakeId<domain::UserId>(user), MakeId<domain::RequestId>(request),
                                 *domain::Quantity::Parse(quantity, 1000)};
}

inline domain::Order MakeOrder(std::string_view id, std::string_view sale = "sale-1",
                               std::string_view item = "item-1", std::string_view user = "u1",
                               std::string_view request = "", std::int32_t quantity = 1) {
  std::string req = request.empty() ? "req-" + std::string(id) : std::string(request);
  return domain::Order{MakeId<domain::OrderId>(id),
                       MakeId<domain::SaleId>(sale),
                       MakeId<domain::ItemId>(item),
                       MakeId<domain::UserId>(user),
                       MakeId<domain::RequestId>(req),
                       *domain::Quantity::Parse(quantity, 1000),
                       999,
                       domain::OrderStatus::kPending,
                       domain::FromUnixMillis(1'700'000'000'000)};
}

}  // namespace flashsale::testing
