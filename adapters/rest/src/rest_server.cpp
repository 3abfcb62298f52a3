#include "flashsale/rest/rest_server.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/router.h>

#include <nlohmann/json.hpp>

#include "exchange.hpp"
#include "flashsale/serving/blocking_pool.hpp"
#include "problem.hpp"
#include "purchase_body.hpp"

namespace flashsale::rest {
namespace {

using namespace Pistache;
using json = nlohmann::json;

std::string OrderBody(const core::OrderView& view) {
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

class RestServer::Impl {
 public:
  Impl(RestOptions options, RestServices services)
      : options_(std::move(options)),
        services_(std::move(services)),
        pool_(options_.blocking_threads),
        endpoint_(Address(options_.address, Port(static_cast<std::uint16_t>(options_.port)))) {}

  void Start() {
    auto opts = Http::Endpoint::options()
                    .threads(options_.threads)
                    .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                    .maxRequestSize(options_.max_body_bytes)
                    .headerTimeout(options_.header_timeout)
                    .bodyTimeout(options_.body_timeout)
                    .keepaliveTimeout(options_.keepalive_timeout);
    endpoint_.init(opts);
    Routes();
    endpoint_.setHandler(router_.handler());
    endpoint_.serveThreaded();
  }

  int port() const { return static_cast<int>(static_cast<std::uint16_t>(endpoint_.getPort())); }

  bool Shutdown(std::chrono::steady_clock::time_point deadline) {
    in_flight_.BeginClosing();
    const bool idle = in_flight_.WaitIdle(deadline);
    endpoint_.shutdown();
    pool_.Stop();
    return idle;
  }

 private:
  void Routes() {
    using namespace Rest;
    Routes::Post(router_, "/api/purchase", Routes::bind(&Impl::Purchase, this));
    Routes::Get(router_, "/api/orders/:id", Routes::bind(&Impl::GetOrder, this));
    Routes::Get(router_, "/health", Routes::bind(&Impl::Health, this));
    Routes::Get(router_, "/livez", Routes::bind(&Impl::Health, this));
    Routes::Get(router_, "/readyz", Routes::bind(&Impl::Ready, this));
    Routes::Get(router_, "/metrics", Routes::bind(&Impl::Metrics, this));
    // Known paths with another method: 405 with an Allow header, as problem+json.
    for (auto route : {"/api/purchase"}) {
      AllowOnly(route, Http::Method::Post);
    }
    for (auto route : {"/api/orders/:id", "/health", "/livez", "/readyz", "/metrics"}) {
      AllowOnly(route, Http::Method::Get);
    }
    router_.addNotFoundHandler(Routes::bind(&Impl::NotFound, this));
  }

  /// Every other method on `route` answers 405 naming `allowed`.
  void AllowOnly(const char* route, Http::Method allowed) {
    auto handler = [this, allowed](const Rest::Request& request, Http::ResponseWriter writer) {
      MethodNotAllowed(request, std::move(writer), allowed);
      return Rest::Route::Result::Ok;
    };
    for (auto method : {Http::Method::Get, Http::Method::Post, Http::Method::Put,
                        Http::Method::Delete, Http::Method::Patch}) {
      if (method != allowed) router_.addRoute(method, route, handler);
    }
  }

  void Purchase(const Rest::Request& request, Http::ResponseWriter writer) {
    auto exchange = Begin(request, std::move(writer), purchase_route_, in_flight_);
    auto key = request.headers().tryGetRaw("Idempotency-Key");
    auto input = ParsePurchaseBody(request.body(), key ? key->value() : std::string(),
                                   options_.default_sale_id);
    if (!input) {
      exchange->SendProblem(domain::Outcome::kInvalidRequest, input.error().detail,
                            BodyErrorMessage(input.error()));
      return;
    }
    services_.purchase.Execute(*input, [exchange](domain::PurchaseReply reply) {
      if (reply.outcome == domain::Outcome::kAccepted) {
        exchange->Send(200, AcceptedPurchaseBody(reply), "application/json");
      } else {
        exchange->SendProblem(reply.outcome, reply.detail, {}, RefusedPurchaseExtra(reply));
      }
    });
  }

  void GetOrder(const Rest::Request& request, Http::ResponseWriter writer) {
    auto exchange = Begin(request, std::move(writer), order_route_, in_flight_);
    std::string id = request.param(":id").as<std::string>();
    std::string sale = request.query().get("sale_id").value_or(options_.default_sale_id);
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

  void Health(const Rest::Request& request, Http::ResponseWriter writer) {
    auto& route = request.resource() == "/livez" ? livez_route_ : health_route_;
    Begin(request, std::move(writer), route, in_flight_)
        ->Send(200, R"({"status":"ok"})", "application/json");
  }

  void Ready(const Rest::Request& request, Http::ResponseWriter writer) {
    const bool ready = services_.ready();
    Begin(request, std::move(writer), ready_route_, in_flight_)
        ->Send(ready ? 200 : 503, ready ? R"({"status":"ready"})" : R"({"status":"not ready"})",
               "application/json");
  }

  void Metrics(const Rest::Request& request, Http::ResponseWriter writer) {
    Begin(request, std::move(writer), metrics_route_, in_flight_)
        ->Send(200, services_.metrics_text(), "text/plain; version=0.0.4");
  }

  void MethodNotAllowed(const Rest::Request& request, Http::ResponseWriter writer,
                        Http::Method allow) {
    const char* name = allow == Http::Method::Post ? "POST" : "GET";
    Begin(request, std::move(writer), not_allowed_route_, in_flight_)
        ->Send(405,
               ProblemJson(405, "method-not-allowed", "Method not allowed", "method not allowed",
                           "use " + std::string(name) + " on " + request.resource()),
               "application/problem+json", &allow);
  }

  void NotFound(const Rest::Request& request, Http::ResponseWriter writer) {
    Begin(request, std::move(writer), not_found_route_, in_flight_)
        ->SendProblem(domain::Outcome::kNotFound, "no route for this path");
  }

  RestOptions options_;
  RestServices services_;
  serving::BlockingPool pool_;
  Http::Endpoint endpoint_;
  Rest::Router router_;
  InFlight in_flight_;
  ports::RouteMetrics& purchase_route_ = services_.metrics.Route("http", "/api/purchase");
  ports::RouteMetrics& order_route_ = services_.metrics.Route("http", "/api/orders/:id");
  ports::RouteMetrics& health_route_ = services_.metrics.Route("http", "/health");
  ports::RouteMetrics& livez_route_ = services_.metrics.Route("http", "/livez");
  ports::RouteMetrics& ready_route_ = services_.metrics.Route("http", "/readyz");
  ports::RouteMetrics& metrics_route_ = services_.metrics.Route("http", "/metrics");
  ports::RouteMetrics& not_allowed_route_ = services_.metrics.Route("http", "method-not-allowed");
  ports::RouteMetrics& not_found_route_ = services_.metrics.Route("http", "not-found");
};

RestServer::RestServer(RestOptions options, RestServices services)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(services))) {}
RestServer::~RestServer() = default;
void RestServer::Start() { impl_->Start(); }
int RestServer::port() const { return impl_->port(); }
bool RestServer::Shutdown(std::chrono::steady_clock::time_point deadline) {
  return impl_->Shutdown(deadline);
}

}  // namespace flashsale::rest
