#include "flashsale/rest/rest_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "flashsale/serving/client_address.hpp"
#include "framing_handler.hpp"
#include "rest_impl.hpp"

namespace flashsale::rest {

using namespace Pistache;

RestServer::Impl::Impl(RestOptions options, RestServices services)
    : options_(std::move(options)),
      services_(std::move(services)),
      admin_token_(options_.admin_token),
      pool_(options_.blocking_threads),
      endpoint_(Address(options_.address, Port(static_cast<std::uint16_t>(options_.port)))) {}

int EffectiveListenBacklog(int requested) {
  std::ifstream in("/proc/sys/net/core/somaxconn");
  int cap = 0;
  if (in >> cap && cap > 0) return std::min(requested, cap);
  return requested;
}

namespace {

/// Pistache 0.0.5 listens with a backlog of 128 whatever Endpoint::Options::backlog says.
/// Linux lets listen() be called again on a listening socket to change its backlog, so find
/// this process's listening socket on `port` and do that.
bool Relisten(std::uint16_t port, int backlog) {
  if (port == 0) return false;
  std::vector<int> fds;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    fds.push_back(std::atoi(entry.path().filename().c_str()));
  }
  for (int fd : fds) {
    int accepting = 0;
    socklen_t length = sizeof accepting;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) != 0 || !accepting) {
      continue;
    }
    sockaddr_storage bound{};
    socklen_t size = sizeof bound;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &size) != 0) continue;
    std::uint16_t bound_port = 0;
    if (bound.ss_family == AF_INET) {
      bound_port = ntohs(reinterpret_cast<const sockaddr_in&>(bound).sin_port);
    } else if (bound.ss_family == AF_INET6) {
      bound_port = ntohs(reinterpret_cast<const sockaddr_in6&>(bound).sin6_port);
    } else {
      continue;  // not a TCP listener (a Unix socket of an embedding program)
    }
    // TCP: one listener per port and family in this process unless SO_REUSEPORT, which
    // this server does not set; another library's listener on the same port would have
    // made Pistache's bind fail.
    if (bound_port == port) return listen(fd, backlog) == 0;
  }
  return false;
}

}  // namespace

/// How much later than the adapter's own request timeout Pistache's idle sweep would act.
constexpr std::chrono::milliseconds kPistacheBackstop{2000};

FramingLimits RestServer::Impl::Framing() const {
  FramingLimits limits;
  limits.max_body_bytes = options_.max_body_bytes;
  limits.request_timeout = options_.header_timeout;
  return limits;
}

void RestServer::Impl::Start() {
  auto opts =
      Http::Endpoint::options()
          .threads(options_.threads)
          .backlog(EffectiveListenBacklog(options_.listen_backlog))
          .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
          // Strict framing holds the head and the body to their own limits and
          // Pistache's parser to what those allow; Pistache's framing holds the
          // whole request (head and body) to --max-body-bytes, as it always did.
          .maxRequestSize(options_.strict_framing ? MaxRequestBytes(Framing())
                                                  : options_.max_body_bytes)
          // Strict framing answers 408 itself (problem+json, after any answer owed);
          // Pistache's bodiless 408 stays as a backstop a little later.
          .headerTimeout(options_.strict_framing ? options_.header_timeout + kPistacheBackstop
                                                 : options_.header_timeout)
          .bodyTimeout(options_.body_timeout)
          .keepaliveTimeout(options_.keepalive_timeout);
  endpoint_.init(opts);
  Routes();
  if (options_.strict_framing) {
    endpoint_.setHandler(
        std::make_shared<FramingHandler>(router_, Framing(), in_flight_, refused_route_));
  } else {
    endpoint_.setHandler(router_.handler());
  }
  endpoint_.serveThreaded();
  if (!Relisten(static_cast<std::uint16_t>(endpoint_.getPort()),
                EffectiveListenBacklog(options_.listen_backlog))) {
    endpoint_.shutdown();  // serving already: stop before reporting the failure
    throw std::runtime_error("cannot set the listen backlog of port " + std::to_string(port()));
  }
}

int RestServer::Impl::port() const {
  return static_cast<int>(static_cast<std::uint16_t>(endpoint_.getPort()));
}

bool RestServer::Impl::Shutdown(std::chrono::steady_clock::time_point deadline) {
  in_flight_.BeginClosing();
  const bool idle = in_flight_.WaitIdle(deadline);
  endpoint_.shutdown();
  in_flight_.Stop();
  pool_.Stop();
  return idle;
}

void RestServer::Impl::Routes() {
  using namespace Rest;
  Routes::Post(router_, "/api/purchase", Routes::bind(&Impl::Purchase, this));
  Routes::Get(router_, "/api/orders/:id", Routes::bind(&Impl::GetOrder, this));
  Routes::Get(router_, "/api/products", Routes::bind(&Impl::Products, this));
  Routes::Get(router_, "/api/products/:id", Routes::bind(&Impl::Product, this));
  Routes::Post(router_, "/api/orders", Routes::bind(&Impl::OrderForm, this));
  Routes::Post(router_, "/checkout", Routes::bind(&Impl::Checkout, this));
  Routes::Post(router_, "/purchase", Routes::bind(&Impl::CompleteCheckout, this));
  Routes::Get(router_, "/sale/status", Routes::bind(&Impl::SaleStatus, this));
  Routes::Get(router_, "/", Routes::bind(&Impl::Index, this));
  Routes::Get(router_, "/health", Routes::bind(&Impl::Health, this));
  Routes::Get(router_, "/livez", Routes::bind(&Impl::Health, this));
  Routes::Get(router_, "/readyz", Routes::bind(&Impl::Ready, this));
  Routes::Get(router_, "/metrics", Routes::bind(&Impl::Metrics, this));
  Routes::Get(router_, "/openapi.yaml", Routes::bind(&Impl::OpenApi, this));
  for (auto route : {"/api/purchase", "/api/orders", "/checkout", "/purchase"}) {
    AllowOnly(route, {Http::Method::Post});
  }
  for (auto route : {"/api/orders/:id", "/api/products", "/api/products/:id", "/sale/status", "/",
                     "/health", "/livez", "/readyz", "/metrics", "/openapi.yaml"}) {
    AllowOnly(route, {Http::Method::Get});
  }
  if (admin_token_.enabled()) AdminRoutes();
  router_.addNotFoundHandler(Routes::bind(&Impl::NotFound, this));
}

void RestServer::Impl::AllowOnly(const char* route, std::vector<Http::Method> allowed) {
  for (auto method : {Http::Method::Get, Http::Method::Post, Http::Method::Put,
                      Http::Method::Delete, Http::Method::Patch}) {
    if (std::find(allowed.begin(), allowed.end(), method) != allowed.end()) continue;
    router_.addRoute(method, route,
                     [this, allowed](const Rest::Request& request, Http::ResponseWriter writer) {
                       MethodNotAllowed(request, std::move(writer), allowed);
                       return Rest::Route::Result::Ok;
                     });
  }
}

std::shared_ptr<Exchange> RestServer::Impl::Begin(const Request& request, Writer writer,
                                                  ports::RouteMetrics& route) {
  return rest::Begin(request, std::move(writer), route, in_flight_);
}

std::string RestServer::Impl::ClientAddress(const Request& request) const {
  if (options_.trust_proxy) {
    if (auto forwarded = request.headers().tryGetRaw("X-Forwarded-For")) {
      const std::string list = forwarded->value();  // value() returns a copy
      if (auto address = serving::LastForwardedAddress(list)) return *address;
    }
  }
  return request.address().host();
}

RestServer::RestServer(RestOptions options, RestServices services)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(services))) {}
RestServer::~RestServer() = default;
void RestServer::Start() { impl_->Start(); }
int RestServer::port() const { return impl_->port(); }
bool RestServer::Shutdown(std::chrono::steady_clock::time_point deadline) {
  return impl_->Shutdown(deadline);
}

}  // namespace flashsale::rest
