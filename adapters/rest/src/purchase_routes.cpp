// One-step buying: POST /api/purchase, GET /api/orders/{id}.
#include <nlohmann/json.hpp>

#include "purchase_body.hpp"
#include "rest_impl.hpp"

namespace flashsale::rest {
namespace {

std::string OrderBody(const core::OrderView& view) {
  using json = nlohmann::json;
  json body{
      {"success", true}, {"order_id", view.id.str()}, {"status", domain::ToString(view.status)}};
  if (view.order) {
    const domain::Order& o = *view.order;
    body["sale_id"] = o.sale.str();
    body["item_id"] = o.item.str();
    body["user_id"] = o.user.str();
    body["quantity"] = o.quantity.value();
    body["unit_price_cents"] = o.unit_price_cents;
    body["created_at_ms"] = domain::ToUnixMillis(o.created_at);
  }
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

void RestServer::Impl::PlaceAndAnswer(const Request& request,
                                      const std::shared_ptr<Exchange>& exchange,
                                      domain::Result<domain::PurchaseInput> input,
                                      PurchaseAnswers answers) {
  if (!input) {
    exchange->SendProblem(domain::Outcome::kInvalidRequest, input.error().detail,
                          BodyErrorMessage(input.error()));
    return;
  }
  services_.limits.Purchase(
      services_.purchase, std::move(*input),
      services_.limits.enabled() ? ClientAddress(request) : std::string(),
      [exchange, answers](core::Admission admission, std::optional<domain::PurchaseReply> reply) {
        if (!Admitted(*exchange, admission) || !reply) return;
        if (reply->outcome == domain::Outcome::kAccepted) {
          exchange->Send(answers.accepted_code, answers.accepted_body(*reply), "application/json");
        } else {
          exchange->SendProblem(reply->outcome, reply->detail,
                                reply->outcome == domain::Outcome::kUnknownItem
                                    ? answers.unknown_item_message
                                    : std::string_view{},
                                RefusedPurchaseExtra(*reply));
        }
      });
}

void RestServer::Impl::Purchase(const Request& request, Writer writer) {
  auto exchange = Begin(request, std::move(writer), purchase_route_);
  auto key = request.headers().tryGetRaw("Idempotency-Key");
  PlaceAndAnswer(request, exchange,
                 ParsePurchaseBody(request.body(), key ? key->value() : std::string(),
                                   services_.default_sale()),
                 {200, &AcceptedPurchaseBody, {}});
}

void RestServer::Impl::GetOrder(const Request& request, Writer writer) {
  auto exchange = Begin(request, std::move(writer), order_route_);
  std::string id = request.param(":id").as<std::string>();
  std::string sale = request.query().get("sale_id").value_or(services_.default_sale());
  pool_.Post([this, exchange, id = std::move(id), sale = std::move(sale)] {
    auto view = services_.orders.Execute(id, sale);
    if (!view) {
      const bool missing = view.error().outcome == domain::Outcome::kNotFound;
      exchange->SendProblem(view.error().outcome, view.error().detail,
                            missing ? "order not found" : std::string_view{});
      return;
    }
    exchange->Send(200, OrderBody(*view), "application/json");
  });
}

}  // namespace flashsale::rest
