#pragma once

// Internal to the REST adapter: the server's state and route handlers. The handlers are
// defined by topic in purchase_routes.cpp, checkout_routes.cpp and probe_routes.cpp.

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/router.h>

#include "exchange.hpp"
#include "flashsale/rest/rest_server.hpp"
#include "flashsale/serving/bearer_token.hpp"
#include "flashsale/serving/blocking_pool.hpp"
#include "framing.hpp"

namespace flashsale::rest {

class RestServer::Impl {
 public:
  Impl(RestOptions options, RestServices services);
  void Start();
  int port() const;
  bool Shutdown(std::chrono::steady_clock::time_point deadline);

 private:
  using Request = Pistache::Rest::Request;
  using Writer = Pistache::Http::ResponseWriter;

  /// The framing limits: the body limit from the options, the head limit fixed (8 KiB).
  FramingLimits Framing() const;
  void Routes();
  /// Every other method on `route` answers 405 naming `allowed` (GET and/or POST).
  void AllowOnly(const char* route, std::vector<Pistache::Http::Method> allowed);
  /// The admin routes, only when a token is configured (otherwise they do not exist: 404).
  void AdminRoutes();
  std::shared_ptr<Exchange> Begin(const Request& request, Writer writer,
                                  ports::RouteMetrics& route);
  /// The client's address: the socket's peer, or with trust_proxy the last X-Forwarded-For
  /// entry (the one the proxy in front appended) when it is a plausible address.
  std::string ClientAddress(const Request& request) const;
  /// Runs `proceed` when the request is within the rate limits of `user` and its address
  /// (at once when limits are off); otherwise answers 429 with Retry-After and the RateLimit
  /// headers. Admitted answers carry them once less than half the quota is left.
  template <class Proceed>
  void WithinLimits(const Request& request, const std::shared_ptr<Exchange>& exchange,
                    std::string_view user, Proceed proceed) {
    if (!services_.limits.enabled()) {
      proceed();
      return;
    }
    services_.limits.Admit(user, ClientAddress(request),
                           [exchange, proceed = std::move(proceed)](core::Admission admission) {
                             if (Admitted(*exchange, admission)) proceed();
                           });
  }

  // purchase_routes.cpp
  /// How a one-step purchase route answers: its success code and body, and its message for
  /// an unknown item (empty: the default).
  struct PurchaseAnswers {
    int accepted_code;
    std::string (*accepted_body)(const domain::PurchaseReply&);
    std::string_view unknown_item_message;
  };
  /// The one-step purchase behind /api/purchase and /api/orders: a refused parse is a 400,
  /// then PlacePurchase within the rate limits (LimitRequests::Purchase), answered as
  /// `answers` says.
  void PlaceAndAnswer(const Request& request, const std::shared_ptr<Exchange>& exchange,
                      domain::Result<domain::PurchaseInput> input, PurchaseAnswers answers);
  void Purchase(const Request& request, Writer writer);
  void GetOrder(const Request& request, Writer writer);
  // product_routes.cpp
  void Products(const Request& request, Writer writer);
  void Product(const Request& request, Writer writer);
  void OrderForm(const Request& request, Writer writer);
  // checkout_routes.cpp
  void Checkout(const Request& request, Writer writer);
  void CompleteCheckout(const Request& request, Writer writer);
  void SaleStatus(const Request& request, Writer writer);
  // probe_routes.cpp
  void Index(const Request& request, Writer writer);
  void Health(const Request& request, Writer writer);
  void Ready(const Request& request, Writer writer);
  void Metrics(const Request& request, Writer writer);
  void OpenApi(const Request& request, Writer writer);
  void MethodNotAllowed(const Request& request, Writer writer,
                        const std::vector<Pistache::Http::Method>& allow);
  // admin_routes.cpp
  /// Checks the bearer token; answers 401 (with WWW-Authenticate) and returns nullptr when
  /// it is missing or wrong, else the exchange to answer on.
  std::shared_ptr<Exchange> BeginAdmin(const Request& request, Writer writer,
                                       ports::RouteMetrics& route);
  void AdminCreateSale(const Request& request, Writer writer);
  void AdminListSales(const Request& request, Writer writer);
  void AdminGetSale(const Request& request, Writer writer);
  void AdminCloseSale(const Request& request, Writer writer);
  void AdminAudit(const Request& request, Writer writer);
  void NotFound(const Request& request, Writer writer);

  RestOptions options_;
  RestServices services_;
  serving::BearerToken admin_token_;
  serving::BlockingPool pool_;
  Pistache::Http::Endpoint endpoint_;
  Pistache::Rest::Router router_;
  InFlight in_flight_;
  ports::RouteMetrics& purchase_route_ = services_.metrics.Route("http", "/api/purchase");
  ports::RouteMetrics& order_route_ = services_.metrics.Route("http", "/api/orders/:id");
  ports::RouteMetrics& products_route_ = services_.metrics.Route("http", "/api/products");
  ports::RouteMetrics& product_route_ = services_.metrics.Route("http", "/api/products/:id");
  ports::RouteMetrics& order_form_route_ = services_.metrics.Route("http", "/api/orders");
  ports::RouteMetrics& checkout_route_ = services_.metrics.Route("http", "/checkout");
  ports::RouteMetrics& complete_route_ = services_.metrics.Route("http", "/purchase");
  ports::RouteMetrics& status_route_ = services_.metrics.Route("http", "/sale/status");
  ports::RouteMetrics& index_route_ = services_.metrics.Route("http", "/");
  ports::RouteMetrics& health_route_ = services_.metrics.Route("http", "/health");
  ports::RouteMetrics& livez_route_ = services_.metrics.Route("http", "/livez");
  ports::RouteMetrics& ready_route_ = services_.metrics.Route("http", "/readyz");
  ports::RouteMetrics& metrics_route_ = services_.metrics.Route("http", "/metrics");
  ports::RouteMetrics& openapi_route_ = services_.metrics.Route("http", "/openapi.yaml");
  ports::RouteMetrics& admin_sales_route_ = services_.metrics.Route("http", "/admin/sales");
  ports::RouteMetrics& admin_sale_route_ = services_.metrics.Route("http", "/admin/sales/:id");
  ports::RouteMetrics& admin_close_route_ =
      services_.metrics.Route("http", "/admin/sales/:id/close");
  ports::RouteMetrics& admin_audit_route_ =
      services_.metrics.Route("http", "/admin/sales/:id/audit");
  ports::RouteMetrics& not_allowed_route_ = services_.metrics.Route("http", "method-not-allowed");
  ports::RouteMetrics& not_found_route_ = services_.metrics.Route("http", "not-found");
  ports::RouteMetrics& refused_route_ = services_.metrics.Route("http", "malformed");
};

}  // namespace flashsale::rest
