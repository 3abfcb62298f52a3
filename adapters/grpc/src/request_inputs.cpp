#include "request_inputs.hpp"

namespace flashsale::rpc {
namespace {

const std::string& SaleOr(const std::string& sale, const std::string& default_sale) {
  return sale.empty() ? default_sale : sale;
}

}  // namespace

domain::PurchaseInput PurchaseInputOf(const flashsale::PurchaseRequest& request,
                                      const std::string& default_sale) {
  return domain::PurchaseInput{.sale_id = SaleOr(request.sale_id(), default_sale),
                               .item_id = request.item_id(),
                               .user_id = request.user_id(),
                               .request_id = request.request_id(),
                               .quantity = request.quantity()};
}

domain::CheckoutInput CheckoutInputOf(const flashsale::CheckoutRequest& request,
                                      const std::string& default_sale) {
  return domain::CheckoutInput{.sale_id = SaleOr(request.sale_id(), default_sale),
                               .item_id = request.item_id(),
                               .user_id = request.user_id(),
                               .request_id = request.request_id()};
}

domain::CompleteInput CompleteInputOf(const flashsale::CompleteCheckoutRequest& request) {
  return domain::CompleteInput{.code = request.checkout_code(), .request_id = request.request_id()};
}

}  // namespace flashsale::rpc
