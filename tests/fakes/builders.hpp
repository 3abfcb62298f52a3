#pragma once

#include <string>
#include <string_view>

#include "flashsale/core/order.hpp"
#include "flashsale/core/purchase.hpp"
#include "flashsale/core/sale.hpp"

namespace flashsale::testing {

/// Parses an id that a test knows is valid.
template <class IdT>
IdT MakeId(std::string_view raw) {
  return *IdT::Parse(raw);
}

inline core::Sale MakeSale(std::string_view id, std::int64_t stock, std::int32_t limit,
                           core::TimePoint starts, core::TimePoint ends,
                           std::string_view item = "item-1", std::int64_t price = 999) {
  core::Sale sale{MakeId<core::SaleId>(id), {}, limit, starts, ends};
  sale.items.push_back(core::SaleItem{MakeId<core::ItemId>(item), stock, price, std::string(item)});
  return sale;
}

inline core::PurchaseRequest MakeRequest(std::string_view sale, std::string_view item,
                                         std::string_view user, std::string_view request,
                                         std::int32_t quantity = 1) {
  return core::PurchaseRequest{MakeId<core::SaleId>(sale), MakeId<core::ItemId>(item),
                               MakeId<core::UserId>(user), MakeId<core::RequestId>(request),
                               *core::Quantity::Parse(quantity, 1000)};
}

inline core::Order MakeOrder(std::string_view id, std::string_view sale = "sale-1",
                             std::string_view item = "item-1", std::string_view user = "u1",
                             std::string_view request = "", std::int32_t quantity = 1) {
  std::string req = request.empty() ? "req-" + std::string(id) : std::string(request);
  return core::Order{MakeId<core::OrderId>(id),
                     MakeId<core::SaleId>(sale),
                     MakeId<core::ItemId>(item),
                     MakeId<core::UserId>(user),
                     MakeId<core::RequestId>(req),
                     *core::Quantity::Parse(quantity, 1000),
                     999,
                     core::OrderStatus::kPending,
                     core::FromUnixMillis(1'700'000'000'000)};
}

}  // namespace flashsale::testing
