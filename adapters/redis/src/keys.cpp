#include "flashsale/redis/keys.hpp"

namespace flashsale::redis {
namespace {

std::string Prefix(const core::SaleId& sale) { return "fs:{" + sale.str() + "}:"; }

}  // namespace

std::string Keys::Meta(const core::SaleId& sale) { return Prefix(sale) + "meta"; }
std::string Keys::Stock(const core::SaleId& sale, const core::ItemId& item) {
  return Prefix(sale) + "stock:" + item.str();
}
std::string Keys::Bought(const core::SaleId& sale) { return Prefix(sale) + "bought"; }
std::string Keys::Answer(const core::SaleId& sale, const core::UserId& user,
                         const core::RequestId& request) {
  return Prefix(sale) + "idem:" + user.str() + "/" + request.str();
}
std::string Keys::Orders(const core::SaleId& sale) { return Prefix(sale) + "orders"; }
std::string Keys::OrderStatus(const core::SaleId& sale) { return Prefix(sale) + "ostatus"; }
std::string Keys::Dead(const core::SaleId& sale) { return Prefix(sale) + "dead"; }

std::string_view Keys::HashTag(std::string_view key) {
  auto open = key.find('{');
  if (open == std::string_view::npos) return key;
  auto close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

}  // namespace flashsale::redis
