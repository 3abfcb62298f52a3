// GET /, probes, metrics, and the answers for unknown routes and methods.
#include "problem.hpp"
#include "rest_impl.hpp"

namespace flashsale::rest {

using namespace Pistache;

void RestServer::Impl::Index(const Request& request, Writer writer) {
  static constexpr std::string_view kIndex =
      R"({"service":"flashsale","routes":[)"
      R"({"method":"POST","path":"/api/purchase","what":"one-step purchase"},)"
      R"({"method":"GET","path":"/api/orders/{order_id}","what":"order status"},)"
      R"({"method":"GET","path":"/api/products","what":"the open sale's items, live stock"},)"
      R"({"method":"GET","path":"/api/products/{id}","what":"one item"},)"
      R"({"method":"POST","path":"/api/orders","what":"order form: user_id, product_id"},)"
      R"({"method":"POST","path":"/checkout","what":"hold a unit, get a checkout code"},)"
      R"({"method":"POST","path":"/purchase","what":"complete a checkout with its code"},)"
      R"({"method":"GET","path":"/sale/status","what":"the sale open now"},)"
      R"({"method":"GET","path":"/health","what":"liveness"},)"
      R"({"method":"GET","path":"/livez","what":"liveness"},)"
      R"({"method":"GET","path":"/readyz","what":"readiness"},)"
      R"({"method":"GET","path":"/metrics","what":"Prometheus metrics"},)"
      R"({"method":"GET","path":"/openapi.yaml","what":"this API as OpenAPI 3.1"}]})";
  Begin(request, std::move(writer), index_route_)->Send(200, kIndex, "application/json");
}

void RestServer::Impl::Health(const Request& request, Writer writer) {
  auto& route = request.resource() == "/livez" ? livez_route_ : health_route_;
  Begin(request, std::move(writer), route)->Send(200, R"({"status":"ok"})", "application/json");
}

void RestServer::Impl::Ready(const Request& request, Writer writer) {
  const bool ready = services_.ready();
  Begin(request, std::move(writer), ready_route_)
      ->Send(ready ? 200 : 503, ready ? R"({"status":"ready"})" : R"({"status":"not ready"})",
             "application/json");
}

extern const std::string_view kOpenApiYaml;  // docs/openapi.yaml, embedded at build time

void RestServer::Impl::OpenApi(const Request& request, Writer writer) {
  Begin(request, std::move(writer), openapi_route_)->Send(200, kOpenApiYaml, "application/yaml");
}

void RestServer::Impl::Metrics(const Request& request, Writer writer) {
  Begin(request, std::move(writer), metrics_route_)
      ->Send(200, services_.metrics_text(), "text/plain; version=0.0.4");
}

void RestServer::Impl::MethodNotAllowed(const Request& request, Writer writer,
                                        const std::vector<Http::Method>& allow) {
  std::string names;
  for (auto method : allow) {
    names +=
        (names.empty() ? "" : " or ") + std::string(method == Http::Method::Post ? "POST" : "GET");
  }
  Begin(request, std::move(writer), not_allowed_route_)
      ->Send(405,
             ProblemJson(405, "method-not-allowed", "Method not allowed", "method not allowed",
                         "use " + names + " on " + request.resource()),
             "application/problem+json", &allow);
}

void RestServer::Impl::NotFound(const Request& request, Writer writer) {
  Begin(request, std::move(writer), not_found_route_)
      ->SendProblem(domain::Outcome::kNotFound, "no route for this path");
}

}  // namespace flashsale::rest
