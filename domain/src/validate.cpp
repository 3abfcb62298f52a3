// Validation of what adapters fill from outside (JSON bodies, query strings, protobuf): the
// one place each use case's input is checked, so every front door refuses the same things.
#include <utility>

#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/purchase.hpp"

namespace flashsale::domain {
namespace {

/// Who buys what: the three ids both kinds of purchase carry, in the order they are checked.
struct Buyer {
  SaleId sale;
  ItemId item;
  UserId user;
};

Result<Buyer> ParseBuyer(const std::string& sale_id, const std::string& item_id,
                         const std::string& user_id) {
  auto sale = SaleId::Parse(sale_id);
  if (!sale) return sale.error();
  auto item = ItemId::Parse(item_id);
  if (!item) return item.error();
  auto user = UserId::Parse(user_id);
  if (!user) return user.error();
  return Buyer{std::move(*sale), std::move(*item), std::move(*user)};
}

/// An optional request id: absent when empty, otherwise it must be valid.
Result<std::optional<RequestId>> OptionalRequestId(const std::string& raw) {
  if (raw.empty()) return std::optional<RequestId>{};
  auto parsed = RequestId::Parse(raw);
  if (!parsed) return parsed.error();
  return std::optional<RequestId>{std::move(*parsed)};
}

}  // namespace

Result<PurchaseRequest> ValidatePurchase(const PurchaseInput& input, std::int32_t max_per_order) {
  auto buyer = ParseBuyer(input.sale_id, input.item_id, input.user_id);
  if (!buyer) return buyer.error();
  auto request = RequestId::Parse(input.request_id);
  if (!request) return request.error();
  if (IsReservedRequestId(input.request_id)) {
    return Error{Outcome::kInvalidRequest,
                 "request_id must not start with CHK_ (reserved for orders made from checkout "
                 "codes)"};
  }
  auto quantity = Quantity::Parse(input.quantity, max_per_order);
  if (!quantity) return quantity.error();
  return PurchaseRequest{std::move(buyer->sale), std::move(buyer->item), std::move(buyer->user),
                         std::move(*request), *quantity};
}

Result<CheckoutRequest> ValidateCheckout(const CheckoutInput& input) {
  auto buyer = ParseBuyer(input.sale_id, input.item_id, input.user_id);
  if (!buyer) return buyer.error();
  auto request = OptionalRequestId(input.request_id);
  if (!request) return request.error();
  return CheckoutRequest{std::move(buyer->sale), std::move(buyer->item), std::move(buyer->user),
                         std::move(*request)};
}

Result<CompleteRequest> ValidateComplete(const CompleteInput& input) {
  auto code = CheckoutCode::Parse(input.code);
  if (!code) return code.error();
  auto request = OptionalRequestId(input.request_id);
  if (!request) return request.error();
  return CompleteRequest{std::move(*code), std::move(*request)};
}

}  // namespace flashsale::domain
