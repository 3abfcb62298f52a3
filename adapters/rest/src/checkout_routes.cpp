// Two-step buying: POST /checkout, POST /purchase, GET /sale/status.
#include "checkout_body.hpp"
#include "purchase_body.hpp"
#include "rest_impl.hpp"

namespace flashsale::rest {
namespace {

QueryLookup Query(const Pistache::Rest::Request& request) {
  return [&request](std::string_view name) -> std::optional<std::string> {
    return request.query().get(std::string(name));
  };
}

std::string IdempotencyKey(const Pistache::Rest::Request& request) {
  auto key = request.headers().tryGetRaw("Idempotency-Key");
  return key ? key->value() : std::string();
}

/// Refusals of the two-step routes: the problem with the seed systems' message.
void SendRefusal(Exchange& exchange, domain::Outcome outcome, std::string_view detail,
                 std::string_view extra = {}) {
  exchange.SendProblem(outcome, detail, TwoStepMessage(outcome), extra);
}

}  // namespace

void RestServer::Impl::Checkout(const Request& request, Writer writer) {
  auto exchange = Begin(request, std::move(writer), checkout_route_);
  auto input = ParseCheckout(Query(request), request.body(), IdempotencyKey(request),
                             services_.default_sale());
  if (!input) {
    exchange->SendProblem(domain::Outcome::kInvalidRequest, input.error().detail,
                          BodyErrorMessage(input.error()));
    return;
  }
  const std::string user = input->user_id;
  WithinLimits(request, exchange, user, [this, exchange, input = std::move(*input)] {
    auto item = domain::ItemId::Parse(input.item_id);
    services_.checkout.Execute(input, [exchange, item](domain::CheckoutReply reply) {
      if (reply.outcome == domain::Outcome::kAccepted && item) {
        exchange->Send(200, CheckoutBody(reply, *item), "application/json");
      } else {
        SendRefusal(*exchange, reply.outcome, reply.detail);
      }
    });
  });
}

void RestServer::Impl::CompleteCheckout(const Request& request, Writer writer) {
  auto exchange = Begin(request, std::move(writer), complete_route_);
  auto input = ParseComplete(Query(request), request.body(), IdempotencyKey(request));
  if (!input) {
    exchange->SendProblem(domain::Outcome::kInvalidRequest, input.error().detail,
                          BodyErrorMessage(input.error()));
    return;
  }
  // A code names no user: only the client address is limited.
  WithinLimits(request, exchange, "", [this, exchange, input = std::move(*input)] {
    services_.complete.Execute(input, [exchange](domain::CompleteReply reply) {
      if (reply.outcome == domain::Outcome::kAccepted && reply.order) {
        exchange->Send(200, CompleteBody(reply), "application/json");
      } else {
        SendRefusal(*exchange, reply.outcome, reply.detail, CompleteRefusalExtra(reply));
      }
    });
  });
}

void RestServer::Impl::SaleStatus(const Request& request, Writer writer) {
  auto exchange = Begin(request, std::move(writer), status_route_);
  std::string sale = request.query().get("sale_id").value_or("");
  pool_.Post([this, exchange, sale = std::move(sale)] {
    auto status = services_.sale_status.Execute(sale);
    if (!status) {
      const bool none = status.error().outcome == domain::Outcome::kNotFound && sale.empty();
      exchange->SendProblem(status.error().outcome, status.error().detail,
                            none ? "no active sale" : std::string_view{});
      return;
    }
    exchange->Send(200, SaleStatusBody(*status), "application/json");
  });
}

}  // namespace flashsale::rest
