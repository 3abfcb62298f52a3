// OrderService, two-step buying: Checkout, CompleteCheckout, GetSaleStatus.
#include "order_service.hpp"
#include "request_inputs.hpp"
#include "status_mapping.hpp"

namespace flashsale::rpc {
namespace {

void FillItem(const domain::ItemId& id, const std::string& name, std::int64_t price_cents,
              flashsale::Item& item) {
  item.set_id(id.str());
  item.set_name(name);
  item.set_price_cents(price_cents);
}

void FillStatus(const core::SaleStatus& status, flashsale::GetSaleStatusResponse& response) {
  response.set_sale_id(status.sale.id.str());
  response.set_starts_at_ms(domain::ToUnixMillis(status.sale.starts_at));
  response.set_ends_at_ms(domain::ToUnixMillis(status.sale.ends_at));
  response.set_active(status.active);
  response.set_remaining_items(status.remaining);
  response.set_held_items(status.held);
  response.set_sold_items(status.sold);
  response.set_per_user_limit(status.sale.per_user_limit);
  for (const auto& item : status.items) {
    auto* out = response.add_items();
    out->set_id(item.id.str());
    out->set_name(item.name);
    out->set_price_cents(item.price_cents);
    out->set_stock(item.stock);
    out->set_remaining(item.remaining);
    out->set_held(item.held);
    out->set_sold(item.sold);
  }
}

}  // namespace

void OrderServiceImpl::CheckoutCall(grpc::CallbackServerContext* context,
                                    TypedCall<flashsale::CheckoutResponse>* call,
                                    const flashsale::CheckoutRequest& request,
                                    Clock::time_point start) {
  if (Expired(context, call, checkout_route_, start)) return;
  const domain::CheckoutInput input = CheckoutInputOf(request, services_.default_sale());
  WithinLimits(
      context, call, checkout_route_, start, request.user_id(),
      [this, call, start, input, item = request.item_id()] {
        services_.checkout.Execute(input, [this, call, start, item](domain::CheckoutReply reply) {
          if (reply.outcome != domain::Outcome::kAccepted || !reply.code) {
            Finish(call, ErrorStatus(reply.outcome, reply.detail), checkout_route_, start);
            return;
          }
          auto& response = call->response;
          response.set_success(true);
          response.set_message("checkout code generated successfully");
          response.set_checkout_code(reply.code->str());
          response.set_expires_at_ms(domain::ToUnixMillis(reply.expires_at));
          response.set_expires_at(domain::FormatRfc3339(reply.expires_at));
          FillItem(*domain::ItemId::Parse(item), reply.item_name, reply.unit_price_cents,
                   *response.mutable_item());
          response.set_remaining(reply.remaining);
          response.set_replayed(reply.replayed);
          Finish(call, grpc::Status::OK, checkout_route_, start);
        });
      });
}

void OrderServiceImpl::CompleteCheckoutCall(grpc::CallbackServerContext* context,
                                            TypedCall<flashsale::CompleteCheckoutResponse>* call,
                                            const flashsale::CompleteCheckoutRequest& request,
                                            Clock::time_point start) {
  if (Expired(context, call, complete_route_, start)) return;
  const domain::CompleteInput input = CompleteInputOf(request);
  // A code names no user: only the client address is limited.
  WithinLimits(context, call, complete_route_, start, "", [this, call, start, input] {
    services_.complete.Execute(input, [this, call, start](domain::CompleteReply reply) {
      if (reply.outcome != domain::Outcome::kAccepted || !reply.order) {
        Finish(call,
               ErrorStatus(reply.outcome, reply.detail,
                           reply.used_by ? reply.used_by->str() : std::string()),
               complete_route_, start);
        return;
      }
      const domain::Order& order = *reply.order;
      auto& response = call->response;
      response.set_success(true);
      response.set_message("purchase completed successfully");
      response.set_order_id(order.id.str());
      response.set_status("pending");
      FillItem(order.item, reply.item_name, order.unit_price_cents, *response.mutable_item());
      response.set_quantity(order.quantity.value());
      response.set_total_price_cents(order.unit_price_cents * order.quantity.value());
      response.set_purchased_at_ms(domain::ToUnixMillis(order.created_at));
      response.set_user_purchases(reply.user_units);
      response.set_replayed(reply.replayed);
      Finish(call, grpc::Status::OK, complete_route_, start);
    });
  });
}

void OrderServiceImpl::GetSaleStatusCall(grpc::CallbackServerContext* /*context*/,
                                         TypedCall<flashsale::GetSaleStatusResponse>* call,
                                         const flashsale::GetSaleStatusRequest& request,
                                         Clock::time_point start) {
  pool_.Post([this, call, start, sale = request.sale_id()] {
    auto status = services_.sale_status.Execute(sale);
    if (!status) {
      Finish(call, ErrorStatus(status.error().outcome, status.error().detail), status_route_,
             start);
      return;
    }
    FillStatus(*status, call->response);
    Finish(call, grpc::Status::OK, status_route_, start);
  });
}

}  // namespace flashsale::rpc
