// The replaced async order service's shapes: GET /api/products, GET /api/products/{id},
// POST /api/orders.
#include <nlohmann/json.hpp>

#include "checkout_body.hpp"
#include "flashsale/domain/text.hpp"
#include "purchase_body.hpp"
#include "rest_impl.hpp"

namespace flashsale::rest {
namespace {

using json = nlohmann::json;

json ProductJson(const core::ItemStatus& item) {
  return json{{"id", item.id.str()},
              {"name", item.name},
              {"price", json::parse(domain::FormatCents(item.price_cents))},
              {"stock", item.stock},
              {"remaining", item.remaining}};
}

std::string Dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

namespace {

/// The items of the sale /api/orders buys from (none when no sale is open); nullopt, with the
/// problem answered, when the status cannot be read.
std::optional<std::vector<core::ItemStatus>> OnSaleNow(core::GetSaleStatus& sale_status,
                                                       Exchange& exchange) {
  auto status = sale_status.Execute("");
  if (status) return std::move(status->items);
  if (status.error().outcome == domain::Outcome::kNotFound) return std::vector<core::ItemStatus>{};
  exchange.SendProblem(status.error().outcome, status.error().detail);
  return std::nullopt;
}

}  // namespace

void RestServer::Impl::Products(const Request& request, Writer writer) {
  auto exchange = Begin(request, std::move(writer), products_route_);
  pool_.Post([this, exchange] {
    auto items = OnSaleNow(services_.sale_status, *exchange);
    if (!items) return;
    json products = json::array();
    for (const auto& item : *items) products.push_back(ProductJson(item));
    exchange->Send(200, Dump(products), "application/json");
  });
}

void RestServer::Impl::Product(const Request& request, Writer writer) {
  auto exchange = Begin(request, std::move(writer), product_route_);
  std::string id = request.param(":id").as<std::string>();
  pool_.Post([this, exchange, id = std::move(id)] {
    auto items = OnSaleNow(services_.sale_status, *exchange);
    if (!items) return;
    for (const auto& item : *items) {
      if (item.id.str() == id) {
        exchange->Send(200, Dump(ProductJson(item)), "application/json");
        return;
      }
    }
    exchange->SendProblem(domain::Outcome::kUnknownItem, "no such product in the sale open now",
                          "unknown product");
  });
}

void RestServer::Impl::OrderForm(const Request& request, Writer writer) {
  auto exchange = Begin(request, std::move(writer), order_form_route_);
  auto key = request.headers().tryGetRaw("Idempotency-Key");
  PlaceAndAnswer(
      request, exchange,
      ParseOrderForm(request.body(), key ? key->value() : std::string(), services_.default_sale()),
      {202, &AcceptedOrderFormBody, "unknown product"});
}

}  // namespace flashsale::rest
