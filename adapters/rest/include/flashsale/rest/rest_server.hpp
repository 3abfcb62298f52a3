#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "flashsale/core/get_order.hpp"
#include "flashsale/core/place_purchase.hpp"
#include "flashsale/metrics/prometheus_metrics.hpp"

namespace flashsale::rest {

struct RestOptions {
  /// Listen address. Default 0.0.0.0 (all interfaces).
  std::string address = "0.0.0.0";
  /// TCP port, 0 = any free port (see RestServer::port()). Default 8080.
  int port = 8080;
  /// Pistache reactor threads (handlers run on them and never block). Default 2.
  int threads = 2;
  /// Largest request accepted; larger ones get 413. Default 16 KiB.
  std::size_t max_body_bytes = 16 * 1024;
  /// Time allowed for a client to send its headers / body. Default 5 s each.
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds body_timeout{5000};
  /// Idle keep-alive connections are closed after this. Default 30 s.
  std::chrono::seconds keepalive_timeout{30};
  /// Sale used when a request names none (the seed API has no sale field).
  std::string default_sale_id = "demo";
  /// Threads for blocking lookups (order status), so reactors never wait on I/O. Default 4.
  int blocking_threads = 4;
};

/// The REST front door (Pistache 0.0.5): seed-compatible POST /api/purchase, GET
/// /api/orders/{id}, /health, /livez, /readyz and /metrics. JSON in and out; errors are
/// application/problem+json with `success:false` and the seed's `message`. Purchases are
/// answered asynchronously from the store's completion; keep-alive works for HTTP/1.1
/// clients that send no Connection header. Thread-safe.
class RestServer {
 public:
  /// `ready` answers the readiness probe (dependencies up and not draining).
  RestServer(RestOptions options, core::PlacePurchase& purchase, core::GetOrder& orders,
             metrics::PrometheusMetrics& metrics, std::function<bool()> ready);
  ~RestServer();
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  /// Binds and starts serving on background threads. Throws std::runtime_error when the
  /// port can't be bound.
  void Start();
  /// The bound port (useful with port 0).
  std::uint16_t port() const;
  /// Requests being handled right now.
  std::int64_t in_flight() const;
  /// Waits until no request is in flight, or `deadline`. True when idle.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline) const;
  /// Stops accepting and closes every connection.
  void Shutdown();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flashsale::rest
