#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "flashsale/core/audit_sale.hpp"
#include "flashsale/core/checkout_item.hpp"
#include "flashsale/core/complete_checkout.hpp"
#include "flashsale/core/get_order.hpp"
#include "flashsale/core/get_sale_status.hpp"
#include "flashsale/core/limit_requests.hpp"
#include "flashsale/core/manage_sales.hpp"
#include "flashsale/core/place_purchase.hpp"
#include "flashsale/ports/request_metrics.hpp"
#include "flashsale/serving/front_door.hpp"

namespace flashsale::rest {

struct RestOptions {
  /// Listen address. Default 0.0.0.0 (all interfaces).
  std::string address = "0.0.0.0";
  /// TCP port, 0 = any free port (see RestServer::port()). Default 8080.
  int port = 8080;
  /// Pistache reactor threads (handlers run on them and never block). Default 2.
  int threads = 2;
  /// listen() backlog: connections queued before they are accepted. The kernel caps it at
  /// net.core.somaxconn (EffectiveListenBacklog says what applies). Default 4096.
  int listen_backlog = 4096;
  /// Largest request accepted; larger ones get 413. Default 16 KiB.
  std::size_t max_body_bytes = 16 * 1024;
  /// Time allowed for a client to send its headers / body. Default 5 s each.
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds body_timeout{5000};
  /// Idle keep-alive connections are closed after this. Default 30 s.
  std::chrono::seconds keepalive_timeout{30};
  /// Threads for blocking lookups (order status), so reactors never wait on I/O. Default 4.
  int blocking_threads = 4;
  /// Bearer token of the admin API (/admin/...). Empty (default): the admin API is off and
  /// its routes answer 404.
  std::string admin_token;
  /// Take the client address for rate limits from X-Forwarded-For (its last entry) instead
  /// of the socket: only behind a proxy that sets it. Default false.
  bool trust_proxy = false;
  /// The adapter's own HTTP/1.1 framing (FramingHandler: pipelining answered in order, bad
  /// framing refused with problem+json at once) instead of Pistache's. Default true; false
  /// gives Pistache 0.0.5's framing back (DESIGN 12 lists what it gets wrong).
  bool strict_framing = true;
};

/// What the REST front door serves: use cases, the request metrics it records, and two
/// callables of the app (readiness, the /metrics text), so that it knows no concrete adapter.
struct RestServices {
  core::PlacePurchase& purchase;
  core::GetOrder& orders;
  core::CheckoutItem& checkout;
  core::CompleteCheckout& complete;
  core::GetSaleStatus& sale_status;
  ports::RequestMetrics& metrics;
  /// The sale of requests that name none (the sale open now, with a schedule).
  std::function<std::string()> default_sale;
  /// Readiness probe: dependencies up and not draining.
  std::function<bool()> ready;
  /// The body of GET /metrics (Prometheus text format 0.0.4).
  std::function<std::string()> metrics_text;
  /// The admin API's use cases (used only with RestOptions::admin_token).
  core::ManageSales& manage;
  core::AuditSale& audit;
  /// Rate limits of the buying routes (POST /api/purchase, /api/orders, /checkout, /purchase).
  core::LimitRequests& limits;
  const ports::Clock& clock;
  /// Called after the admin API created or closed a sale (the app refreshes its catalog).
  std::function<void()> sales_changed;
};

/// The REST front door (Pistache 0.0.5): seed-compatible POST /api/purchase, GET
/// /api/orders/{id}, two-step buying (POST /checkout, POST /purchase, GET /sale/status),
/// GET / (an index of the routes), /health, /livez, /readyz and /metrics. JSON in and out; errors
/// are application/problem+json with `success:false` and the seed's `message`. Purchases are
/// answered asynchronously from the store's completion; keep-alive works for HTTP/1.1
/// clients that send no Connection header. Thread-safe.
/// The backlog the kernel grants for `requested`: at most net.core.somaxconn (read from
/// /proc; `requested` when it cannot be read).
int EffectiveListenBacklog(int requested);

class RestServer final : public serving::FrontDoor {
 public:
  RestServer(RestOptions options, RestServices services);
  ~RestServer() override;
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  std::string_view transport() const override { return "http"; }
  void Start() override;
  int port() const override;
  /// REST readiness is answered by RestServices::ready; nothing to flip here.
  void SetServing(bool) override {}
  /// Answers say Connection: close from now on; waits until every request in flight has its
  /// answer written (or `deadline`), then stops accepting and closes every connection.
  bool Shutdown(std::chrono::steady_clock::time_point deadline) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flashsale::rest
