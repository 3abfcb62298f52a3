#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "flashsale/domain/outcome.hpp"
#include "flashsale/ports/metrics.hpp"
#include "flashsale/ports/request_metrics.hpp"

namespace prometheus {
class Registry;
class Exposer;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace flashsale::metrics {

/// Request metrics of one route of one transport: resolved once, then updated lock-free
/// (per-code counters are created on first use). Thread-safe.
class PrometheusRouteMetrics final : public ports::RouteMetrics {
 public:
  void Served(int code, std::chrono::nanoseconds latency) override;

 private:
  friend class PrometheusMetrics;
  std::string transport_;
  std::string route_;
  prometheus::Family<prometheus::Counter>* family_ = nullptr;
  prometheus::Histogram* latency_ = nullptr;
  std::mutex* create_mu_ = nullptr;
  std::array<std::atomic<prometheus::Counter*>, 600> by_code_{};  // HTTP 100-599, gRPC 0-16
};

/// The Metrics and RequestMetrics ports on prometheus-cpp. The app hands Render() to the
/// front door that serves /metrics.
/// Names follow Prometheus conventions: `flashsale_` prefix, base units (seconds), `_total`
/// counters; no user ids in labels. Hot-path updates touch pre-created series only.
/// Thread-safe.
class PrometheusMetrics final : public ports::Metrics, public ports::RequestMetrics {
 public:
  explicit PrometheusMetrics(std::string_view version);
  ~PrometheusMetrics() override;

  void PurchaseAnswered(domain::Outcome outcome, std::chrono::nanoseconds latency) override;
  void CheckoutAnswered(domain::Outcome outcome, std::chrono::nanoseconds latency) override;
  void CompletionAnswered(domain::Outcome outcome, std::chrono::nanoseconds latency) override;
  void HoldsExpired(std::size_t count) override;
  void BatchSaved(std::size_t size, std::chrono::nanoseconds latency) override;
  void OrdersPersisted(std::size_t count) override;
  void OrdersFailed(std::size_t count) override;
  void PersistRetried() override;

  ports::RouteMetrics& Route(std::string_view transport, std::string_view route) override;
  /// Sampled state.
  void SetStockRemaining(std::string_view sale, std::string_view item, std::int64_t units);
  void SetQueueDepth(std::int64_t orders);
  /// Readiness gauge; written by the one owner of readiness (the app's runtime).
  void SetReady(bool ready);

  /// The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;
  /// Serves GET /metrics on `bind_address` ("0.0.0.0:9464") from now on, for a process with
  /// no HTTP front door (flashsale-grpc). Throws std::runtime_error when it cannot listen.
  void Expose(const std::string& bind_address);

 private:
  void RegisterPurchases();
  void RegisterCheckouts();
  void RegisterPersistence();
  void RegisterState(std::string_view version);

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::array<prometheus::Counter*, domain::kAllOutcomes.size()> purchases_{};
  std::array<prometheus::Histogram*, domain::kAllOutcomes.size()> purchase_latency_{};
  std::array<prometheus::Counter*, domain::kAllOutcomes.size()> checkouts_{};
  std::array<prometheus::Counter*, domain::kAllOutcomes.size()> completions_{};
  prometheus::Histogram* checkout_latency_ = nullptr;
  prometheus::Histogram* completion_latency_ = nullptr;
  prometheus::Counter* holds_expired_ = nullptr;
  prometheus::Counter* persisted_ = nullptr;
  prometheus::Counter* failed_ = nullptr;
  prometheus::Counter* retries_ = nullptr;
  prometheus::Histogram* batch_latency_ = nullptr;
  prometheus::Histogram* batch_size_ = nullptr;
  prometheus::Gauge* queue_depth_ = nullptr;
  prometheus::Gauge* ready_ = nullptr;
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;
  prometheus::Family<prometheus::Histogram>* request_latency_ = nullptr;
  prometheus::Family<prometheus::Gauge>* stock_ = nullptr;
  std::mutex mu_;  // guards routes_ and the creation of per-code series
  std::map<std::string, std::unique_ptr<PrometheusRouteMetrics>, std::less<>> routes_;
};

}  // namespace flashsale::metrics
