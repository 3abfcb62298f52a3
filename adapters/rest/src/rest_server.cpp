#include "flashsale/rest/rest_server.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/router.h>

#include <atomic>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "flashsale/core/blocking_pool.hpp"
#include "problem.hpp"

namespace flashsale::rest {
namespace {

using namespace Pistache;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string Dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// Strips one pair of surrounding double quotes ("abc" -> abc), as sent by some clients.
std::string Unquote(std::string value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

/// Pistache 0.0.5 does not serialise raw headers (Collection::addRaw) in responses, so the
/// headers we need beyond its typed ones are small typed headers of our own.
class RetryAfter final : public Http::Header::Header {
 public:
  NAME("Retry-After")
  explicit RetryAfter(int seconds = 1) : seconds_(seconds) {}
  void write(std::ostream& os) const override { os << seconds_; }

 private:
  int seconds_;
};

/// What the handler needs to know to answer after the request object is gone.
struct Exchange {
  Http::ResponseWriter writer;
  bool keep_alive = true;
  Clock::time_point start = Clock::now();
  metrics::RouteMetrics* route;
};

}  // namespace

class RestServer::Impl {
 public:
  Impl(RestOptions options, core::PlacePurchase& purchase, core::GetOrder& orders,
       metrics::PrometheusMetrics& metrics, std::function<bool()> ready)
      : options_(std::move(options)),
        purchase_(purchase),
        orders_(orders),
        metrics_(metrics),
        ready_(std::move(ready)),
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
      Routes::Get(router_, route, Routes::bind(&Impl::MethodNotAllowedPost, this));
      Routes::Put(router_, route, Routes::bind(&Impl::MethodNotAllowedPost, this));
      Routes::Delete(router_, route, Routes::bind(&Impl::MethodNotAllowedPost, this));
      Routes::Patch(router_, route, Routes::bind(&Impl::MethodNotAllowedPost, this));
    }
    for (auto route : {"/api/orders/:id", "/health", "/livez", "/readyz", "/metrics"}) {
      Routes::Post(router_, route, Routes::bind(&Impl::MethodNotAllowedGet, this));
      Routes::Put(router_, route, Routes::bind(&Impl::MethodNotAllowedGet, this));
      Routes::Delete(router_, route, Routes::bind(&Impl::MethodNotAllowedGet, this));
      Routes::Patch(router_, route, Routes::bind(&Impl::MethodNotAllowedGet, this));
    }
    router_.addNotFoundHandler(Routes::bind(&Impl::NotFound, this));
  }

  std::uint16_t port() const { return static_cast<std::uint16_t>(endpoint_.getPort()); }
  std::int64_t in_flight() const { return in_flight_.load(); }

  bool WaitIdle(Clock::time_point deadline) const {
    while (in_flight_.load() > 0) {
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  void Shutdown() {
    endpoint_.shutdown();
    pool_.Stop();
  }

 private:
  std::shared_ptr<Exchange> Begin(const Http::Request& request, Http::ResponseWriter writer,
                                  metrics::RouteMetrics& route) {
    ++in_flight_;
    auto exchange =
        std::make_shared<Exchange>(Exchange{std::move(writer), true, Clock::now(), &route});
    if (auto connection = request.headers().tryGet<Http::Header::Connection>()) {
      exchange->keep_alive = connection->control() != Http::ConnectionControl::Close;
    }
    return exchange;
  }

  /// 429 and 503 always carry Retry-After (1 s): the clients' cue that retrying is right.
  void Send(Exchange& exchange, int code, const std::string& body, const char* content_type,
            const Http::Method* allow = nullptr) {
    auto& headers = exchange.writer.headers();
    headers.add<Http::Header::ContentType>(Http::Mime::MediaType::fromString(content_type));
    // Pistache 0.0.5 answers "Connection: close" to HTTP/1.1 clients that send no
    // Connection header; say keep-alive explicitly (remove, then add: add does not replace).
    headers.remove<Http::Header::Connection>();
    headers.add<Http::Header::Connection>(exchange.keep_alive ? Http::ConnectionControl::KeepAlive
                                                              : Http::ConnectionControl::Close);
    if (code == 429 || code == 503) headers.add(std::make_shared<RetryAfter>(1));
    if (allow != nullptr) headers.add(std::make_shared<Http::Header::Allow>(*allow));
    exchange.writer.send(static_cast<Http::Code>(code), body);
    exchange.route->Served(code, Clock::now() - exchange.start);
    --in_flight_;
  }

  /// `extra`: already-encoded ,"key":value pairs added to the problem object.
  void SendProblem(Exchange& exchange, core::Outcome outcome, std::string_view detail,
                   std::string_view message_override = {}, std::string_view extra = {}) {
    HttpOutcome http = ToHttp(outcome);
    std::string_view message = message_override.empty() ? http.message : message_override;
    Send(exchange, http.code, ProblemJson(http.code, http.slug, http.title, message, detail, extra),
         "application/problem+json");
  }

  void Purchase(const Rest::Request& request, Http::ResponseWriter writer) {
    auto exchange = Begin(request, std::move(writer), purchase_route_);
    json body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) {
      SendProblem(*exchange, core::Outcome::kInvalidRequest, "the body must be a JSON object");
      return;
    }
    core::PurchaseInput input;
    input.sale_id = options_.default_sale_id;
    std::string missing;
    std::string type_error;
    auto text = [&](const char* field, std::string& out, bool required) {
      auto it = body.find(field);
      if (it == body.end() || it->is_null()) {
        if (required) missing += missing.empty() ? field : std::string(", ") + field;
        return;
      }
      if (!it->is_string()) {
        if (type_error.empty()) type_error = std::string(field) + " must be a string";
        return;
      }
      out = it->get<std::string>();
    };
    auto header_key = request.headers().tryGetRaw("Idempotency-Key");
    std::string key = header_key ? Unquote(header_key->value()) : std::string();
    text("request_id", input.request_id, key.empty());
    text("user_id", input.user_id, true);
    text("item_id", input.item_id, true);
    text("sale_id", input.sale_id, false);
    if (auto q = body.find("quantity"); q == body.end() || q->is_null()) {
      input.quantity = 1;  // the seed API's default
    } else if (q->is_number_unsigned()) {
      auto v = q->get<std::uint64_t>();
      input.quantity = v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                           ? std::numeric_limits<std::int64_t>::max()
                           : static_cast<std::int64_t>(v);
    } else if (q->is_number_integer()) {
      input.quantity = q->get<std::int64_t>();
    } else if (type_error.empty()) {
      type_error = "quantity must be an integer";
    }
    if (!type_error.empty()) {
      SendProblem(*exchange, core::Outcome::kInvalidRequest, type_error);
      return;
    }
    if (!missing.empty()) {
      SendProblem(*exchange, core::Outcome::kInvalidRequest, "missing: " + missing,
                  "missing required fields");
      return;
    }
    if (!key.empty()) {
      if (!input.request_id.empty() && input.request_id != key) {
        SendProblem(*exchange, core::Outcome::kInvalidRequest,
                    "Idempotency-Key and request_id differ");
        return;
      }
      input.request_id = key;
    }
    purchase_.Execute(input, [this, exchange](core::PurchaseReply reply) {
      // Order ids are validated ids ([A-Za-z0-9._:-]): nothing to escape.
      const std::string order_id = reply.order_id ? reply.order_id->str() : std::string();
      if (reply.outcome == core::Outcome::kAccepted) {
        std::string ok =
            "{\"success\":true,\"message\":\"order placed successfully\",\"order_id\":\"" +
            order_id +
            "\",\"status\":\"pending\",\"remaining\":" + std::to_string(reply.remaining) +
            ",\"replayed\":" + (reply.replayed ? "true" : "false") + "}";
        Send(*exchange, 200, ok, "application/json");
        return;
      }
      std::string extra;
      if (reply.order_id) {
        extra = ",\"order_id\":\"" + order_id + "\",\"status\":\"" +
                (reply.order_failed ? "failed" : "pending") + "\"";
      }
      if (reply.replayed) extra += ",\"replayed\":true";
      SendProblem(*exchange, reply.outcome, reply.detail, {}, extra);
    });
  }

  void GetOrder(const Rest::Request& request, Http::ResponseWriter writer) {
    auto exchange = Begin(request, std::move(writer), order_route_);
    std::string id = request.param(":id").as<std::string>();
    std::string sale = request.query().get("sale_id").value_or(options_.default_sale_id);
    pool_.Post([this, exchange, id = std::move(id), sale = std::move(sale)] {
      auto view = orders_.Execute(id, sale);
      if (!view) {
        if (view.error().outcome == core::Outcome::kUnknownItem) {
          Send(*exchange, 404,
               ProblemJson(404, "order-not-found", "Order not found", "order not found",
                           view.error().detail),
               "application/problem+json");
          return;
        }
        SendProblem(*exchange, view.error().outcome, view.error().detail);
        return;
      }
      json body{{"success", true},
                {"order_id", view->id.str()},
                {"status", core::ToString(view->status)}};
      if (view->order) {
        const core::Order& o = *view->order;
        body["sale_id"] = o.sale.str();
        body["item_id"] = o.item.str();
        body["user_id"] = o.user.str();
        body["quantity"] = o.quantity.value();
        body["unit_price_cents"] = o.unit_price_cents;
        body["created_at_ms"] = core::ToUnixMillis(o.created_at);
      }
      Send(*exchange, 200, Dump(body), "application/json");
    });
  }

  void Health(const Rest::Request& request, Http::ResponseWriter writer) {
    auto& route = request.resource() == "/livez" ? livez_route_ : health_route_;
    auto exchange = Begin(request, std::move(writer), route);
    Send(*exchange, 200, R"({"status":"ok"})", "application/json");
  }

  void Ready(const Rest::Request& request, Http::ResponseWriter writer) {
    auto exchange = Begin(request, std::move(writer), ready_route_);
    bool ready = ready_();
    metrics_.SetReady(ready);
    Send(*exchange, ready ? 200 : 503,
         ready ? R"({"status":"ready"})" : R"({"status":"not ready"})", "application/json");
  }

  void Metrics(const Rest::Request& request, Http::ResponseWriter writer) {
    auto exchange = Begin(request, std::move(writer), metrics_route_);
    Send(*exchange, 200, metrics_.Render(), "text/plain; version=0.0.4");
  }

  void MethodNotAllowed(const Rest::Request& request, Http::ResponseWriter writer,
                        Http::Method allow) {
    auto exchange = Begin(request, std::move(writer), not_allowed_route_);
    const char* name = allow == Http::Method::Post ? "POST" : "GET";
    Send(*exchange, 405,
         ProblemJson(405, "method-not-allowed", "Method not allowed", "method not allowed",
                     "use " + std::string(name) + " on " + request.resource()),
         "application/problem+json", &allow);
  }
  void MethodNotAllowedPost(const Rest::Request& r, Http::ResponseWriter w) {
    MethodNotAllowed(r, std::move(w), Http::Method::Post);
  }
  void MethodNotAllowedGet(const Rest::Request& r, Http::ResponseWriter w) {
    MethodNotAllowed(r, std::move(w), Http::Method::Get);
  }

  void NotFound(const Rest::Request& request, Http::ResponseWriter writer) {
    auto exchange = Begin(request, std::move(writer), not_found_route_);
    Send(*exchange, 404,
         ProblemJson(404, "not-found", "Not found", "not found", "no route for this path"),
         "application/problem+json");
  }

  RestOptions options_;
  core::PlacePurchase& purchase_;
  core::GetOrder& orders_;
  metrics::PrometheusMetrics& metrics_;
  std::function<bool()> ready_;
  core::BlockingPool pool_;
  Http::Endpoint endpoint_;
  Rest::Router router_;
  std::atomic<std::int64_t> in_flight_{0};
  metrics::RouteMetrics& purchase_route_ = metrics_.Route("http", "/api/purchase");
  metrics::RouteMetrics& order_route_ = metrics_.Route("http", "/api/orders/:id");
  metrics::RouteMetrics& health_route_ = metrics_.Route("http", "/health");
  metrics::RouteMetrics& livez_route_ = metrics_.Route("http", "/livez");
  metrics::RouteMetrics& ready_route_ = metrics_.Route("http", "/readyz");
  metrics::RouteMetrics& metrics_route_ = metrics_.Route("http", "/metrics");
  metrics::RouteMetrics& not_allowed_route_ = metrics_.Route("http", "method-not-allowed");
  metrics::RouteMetrics& not_found_route_ = metrics_.Route("http", "not-found");
};

RestServer::RestServer(RestOptions options, core::PlacePurchase& purchase, core::GetOrder& orders,
                       metrics::PrometheusMetrics& metrics, std::function<bool()> ready)
    : impl_(std::make_unique<Impl>(std::move(options), purchase, orders, metrics,
                                   std::move(ready))) {}
RestServer::~RestServer() = default;
void RestServer::Start() { impl_->Start(); }
std::uint16_t RestServer::port() const { return impl_->port(); }
std::int64_t RestServer::in_flight() const { return impl_->in_flight(); }
bool RestServer::WaitIdle(std::chrono::steady_clock::time_point deadline) const {
  return impl_->WaitIdle(deadline);
}
void RestServer::Shutdown() { impl_->Shutdown(); }

}  // namespace flashsale::rest
