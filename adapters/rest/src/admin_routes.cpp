// The admin API: /admin/sales (create, list), /admin/sales/{id} (show), .../close, .../audit.
// Bearer token required; every operation blocks on a backend, so it runs on the pool.
#include "admin_body.hpp"
#include "problem.hpp"
#include "rest_impl.hpp"

namespace flashsale::rest {

using namespace Pistache;

namespace {

/// Answers `code` with the JSON that `render` makes of the result's value, or with the
/// problem of its error.
template <class T, class Render>
void Answer(Exchange& exchange, const domain::Result<T>& result, Render render, int code = 200) {
  if (!result) {
    exchange.SendProblem(result.error().outcome, result.error().detail);
    return;
  }
  exchange.Send(code, render(*result), "application/json");
}

}  // namespace

void RestServer::Impl::AdminRoutes() {
  using namespace Rest;
  Routes::Post(router_, "/admin/sales", Routes::bind(&Impl::AdminCreateSale, this));
  Routes::Get(router_, "/admin/sales", Routes::bind(&Impl::AdminListSales, this));
  Routes::Get(router_, "/admin/sales/:id", Routes::bind(&Impl::AdminGetSale, this));
  Routes::Post(router_, "/admin/sales/:id/close", Routes::bind(&Impl::AdminCloseSale, this));
  Routes::Get(router_, "/admin/sales/:id/audit", Routes::bind(&Impl::AdminAudit, this));
  AllowOnly("/admin/sales", {Http::Method::Get, Http::Method::Post});
  AllowOnly("/admin/sales/:id", {Http::Method::Get});
  AllowOnly("/admin/sales/:id/close", {Http::Method::Post});
  AllowOnly("/admin/sales/:id/audit", {Http::Method::Get});
}

std::shared_ptr<Exchange> RestServer::Impl::BeginAdmin(const Request& request, Writer writer,
                                                       ports::RouteMetrics& route) {
  auto exchange = Begin(request, std::move(writer), route);
  auto header = request.headers().tryGetRaw("Authorization");
  const auto verdict = admin_token_.Check(header ? header->value() : std::string());
  if (verdict == serving::BearerToken::Verdict::kGranted) return exchange;
  // RFC 6750 section 3: the challenge, with error="invalid_token" when a token was wrong.
  const bool wrong = verdict == serving::BearerToken::Verdict::kWrong;
  exchange->AddHeader("WWW-Authenticate",
                      wrong ? R"(Bearer realm="flashsale-admin", error="invalid_token")"
                            : R"(Bearer realm="flashsale-admin")");
  exchange->Send(401,
                 ProblemJson(401, "unauthorized", "Unauthorized", "unauthorized",
                             wrong ? "the bearer token is not valid"
                                   : "this route needs Authorization: Bearer <admin token>"),
                 "application/problem+json");
  return nullptr;
}

void RestServer::Impl::AdminCreateSale(const Request& request, Writer writer) {
  auto exchange = BeginAdmin(request, std::move(writer), admin_sales_route_);
  if (!exchange) return;
  auto sale = ParseSaleBody(request.body(), services_.clock.Now());
  if (!sale) {
    exchange->SendProblem(sale.error().outcome, sale.error().detail);
    return;
  }
  pool_.Post([this, exchange, sale = std::move(*sale)] {
    auto created = services_.manage.Publish(sale);
    if (!created) {
      exchange->SendProblem(created.error().outcome, created.error().detail);
      return;
    }
    if (services_.sales_changed) services_.sales_changed();
    exchange->AddHeader("Location", "/admin/sales/" + sale.id.str());
    exchange->Send(201, SaleBody(sale, services_.clock.Now()), "application/json");
  });
}

void RestServer::Impl::AdminListSales(const Request& request, Writer writer) {
  auto exchange = BeginAdmin(request, std::move(writer), admin_sales_route_);
  if (!exchange) return;
  pool_.Post([this, exchange] {
    Answer(*exchange, services_.manage.List(),
           [this](const auto& sales) { return SalesBody(sales, services_.clock.Now()); });
  });
}

void RestServer::Impl::AdminGetSale(const Request& request, Writer writer) {
  auto exchange = BeginAdmin(request, std::move(writer), admin_sale_route_);
  if (!exchange) return;
  pool_.Post([this, exchange, id = request.param(":id").as<std::string>()] {
    Answer(*exchange, services_.manage.Find(id),
           [this](const domain::Sale& sale) { return SaleBody(sale, services_.clock.Now()); });
  });
}

void RestServer::Impl::AdminCloseSale(const Request& request, Writer writer) {
  auto exchange = BeginAdmin(request, std::move(writer), admin_close_route_);
  if (!exchange) return;
  pool_.Post([this, exchange, id = request.param(":id").as<std::string>()] {
    auto sale = services_.manage.Close(id);
    if (sale && services_.sales_changed) services_.sales_changed();
    Answer(*exchange, sale,
           [this](const domain::Sale& closed) { return SaleBody(closed, services_.clock.Now()); });
  });
}

void RestServer::Impl::AdminAudit(const Request& request, Writer writer) {
  auto exchange = BeginAdmin(request, std::move(writer), admin_audit_route_);
  if (!exchange) return;
  pool_.Post([this, exchange, id = request.param(":id").as<std::string>()] {
    Answer(*exchange, services_.audit.Execute(id), [this](const core::AuditReport& report) {
      return AuditBody(report, services_.clock.Now());
    });
  });
}

}  // namespace flashsale::rest
