#include "flashsale/metrics/prometheus_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace flashsale::metrics {
namespace {

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
}

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

prometheus::Counter& Counter(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Gauge& Gauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

PrometheusMetrics::PrometheusMetrics(std::string_view version)
    : registry_(std::make_shared<prometheus::Registry>()) {
  RegisterPurchases();
  RegisterCheckouts();
  RegisterPersistence();
  RegisterState(version);
}

void PrometheusMetrics::RegisterPurchases() {
  auto& purchases = prometheus::BuildCounter()
                        .Name("flashsale_purchases_total")
                        .Help("Purchases answered, by outcome")
                        .Register(*registry_);
  auto& latency = prometheus::BuildHistogram()
                      .Name("flashsale_purchase_duration_seconds")
                      .Help("Time from validation to the answer, by outcome")
                      .Register(*registry_);
  for (domain::Outcome outcome : domain::kAllOutcomes) {
    std::string name(domain::ToString(outcome));
    purchases_[static_cast<std::size_t>(outcome)] = &purchases.Add({{"outcome", name}});
    purchase_latency_[static_cast<std::size_t>(outcome)] =
        &latency.Add({{"outcome", name}}, LatencyBuckets());
  }
  requests_ = &prometheus::BuildCounter()
                   .Name("flashsale_requests_total")
                   .Help("Requests answered, by transport, route and status code")
                   .Register(*registry_);
  request_latency_ = &prometheus::BuildHistogram()
                          .Name("flashsale_request_duration_seconds")
                          .Help("Request latency, by transport and route")
                          .Register(*registry_);
}

void PrometheusMetrics::RegisterCheckouts() {
  auto& checkouts = prometheus::BuildCounter()
                        .Name("flashsale_checkouts_total")
                        .Help("Checkouts (holds) answered, by outcome")
                        .Register(*registry_);
  auto& completions = prometheus::BuildCounter()
                          .Name("flashsale_checkout_completions_total")
                          .Help("Checkout completions answered, by outcome")
                          .Register(*registry_);
  for (domain::Outcome outcome : domain::kAllOutcomes) {
    const std::string name(domain::ToString(outcome));
    checkouts_[static_cast<std::size_t>(outcome)] = &checkouts.Add({{"outcome", name}});
    completions_[static_cast<std::size_t>(outcome)] = &completions.Add({{"outcome", name}});
  }
  checkout_latency_ = &prometheus::BuildHistogram()
                           .Name("flashsale_checkout_duration_seconds")
                           .Help("Time from validation to the answer of a checkout")
                           .Register(*registry_)
                           .Add({}, LatencyBuckets());
  completion_latency_ = &prometheus::BuildHistogram()
                             .Name("flashsale_checkout_completion_duration_seconds")
                             .Help("Time from validation to the answer of a completion")
                             .Register(*registry_)
                             .Add({}, LatencyBuckets());
  holds_expired_ = &Counter(*registry_, "flashsale_holds_expired_total",
                            "Checkout holds whose unit went back on sale after expiry");
}

void PrometheusMetrics::RegisterPersistence() {
  persisted_ = &Counter(*registry_, "flashsale_orders_persisted_total",
                        "Orders confirmed in the system of record");
  failed_ = &Counter(*registry_, "flashsale_orders_failed_total",
                     "Orders refused for good and released (dead letters)");
  retries_ = &Counter(*registry_, "flashsale_persist_retries_total",
                      "Transient persistence failures followed by a backoff");
  batch_latency_ = &prometheus::BuildHistogram()
                        .Name("flashsale_persist_batch_duration_seconds")
                        .Help("Time to save one batch")
                        .Register(*registry_)
                        .Add({}, LatencyBuckets());
  batch_size_ =
      &prometheus::BuildHistogram()
           .Name("flashsale_persist_batch_orders")
           .Help("Orders per saved batch")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{1, 10, 50, 100, 250, 500, 1000});
}

void PrometheusMetrics::RegisterState(std::string_view version) {
  queue_depth_ =
      &Gauge(*registry_, "flashsale_queue_depth_orders", "Accepted orders not yet persisted");
  ready_ = &Gauge(*registry_, "flashsale_ready", "1 when the instance takes traffic");
  stock_ = &prometheus::BuildGauge()
                .Name("flashsale_stock_remaining_units")
                .Help("Units still on sale")
                .Register(*registry_);
  prometheus::BuildGauge()
      .Name("flashsale_build_info")
      .Help("Build information")
      .Register(*registry_)
      .Add({{"version", std::string(version)}})
      .Set(1);
}

PrometheusMetrics::~PrometheusMetrics() = default;

void PrometheusMetrics::PurchaseAnswered(domain::Outcome outcome,
                                         std::chrono::nanoseconds latency) {
  auto i = static_cast<std::size_t>(outcome);
  purchases_[i]->Increment();
  purchase_latency_[i]->Observe(Seconds(latency));
}

void PrometheusMetrics::CheckoutAnswered(domain::Outcome outcome,
                                         std::chrono::nanoseconds latency) {
  checkouts_[static_cast<std::size_t>(outcome)]->Increment();
  checkout_latency_->Observe(Seconds(latency));
}

void PrometheusMetrics::CompletionAnswered(domain::Outcome outcome,
                                           std::chrono::nanoseconds latency) {
  completions_[static_cast<std::size_t>(outcome)]->Increment();
  completion_latency_->Observe(Seconds(latency));
}

void PrometheusMetrics::HoldsExpired(std::size_t count) {
  holds_expired_->Increment(static_cast<double>(count));
}

void PrometheusMetrics::BatchSaved(std::size_t size, std::chrono::nanoseconds latency) {
  batch_latency_->Observe(Seconds(latency));
  batch_size_->Observe(static_cast<double>(size));
}

void PrometheusMetrics::OrdersPersisted(std::size_t count) {
  persisted_->Increment(static_cast<double>(count));
}
void PrometheusMetrics::OrdersFailed(std::size_t count) {
  failed_->Increment(static_cast<double>(count));
}
void PrometheusMetrics::PersistRetried() { retries_->Increment(); }

ports::RouteMetrics& PrometheusMetrics::Route(std::string_view transport, std::string_view route) {
  std::string key = std::string(transport) + " " + std::string(route);
  std::lock_guard lock(mu_);
  auto it = routes_.find(key);
  if (it != routes_.end()) return *it->second;
  auto metrics = std::make_unique<PrometheusRouteMetrics>();
  metrics->transport_ = std::string(transport);
  metrics->route_ = std::string(route);
  metrics->family_ = requests_;
  metrics->create_mu_ = &mu_;
  metrics->latency_ = &request_latency_->Add(
      {{"transport", metrics->transport_}, {"route", metrics->route_}}, LatencyBuckets());
  return *routes_.emplace(std::move(key), std::move(metrics)).first->second;
}

void PrometheusRouteMetrics::Served(int code, std::chrono::nanoseconds latency) {
  const std::size_t slot = code >= 0 && code < 600 ? static_cast<std::size_t>(code) : 599;
  prometheus::Counter* counter = by_code_[slot].load(std::memory_order_acquire);
  if (counter == nullptr) {
    std::lock_guard lock(*create_mu_);
    counter = by_code_[slot].load(std::memory_order_relaxed);
    if (counter == nullptr) {
      counter = &family_->Add(
          {{"transport", transport_}, {"route", route_}, {"code", std::to_string(code)}});
      by_code_[slot].store(counter, std::memory_order_release);
    }
  }
  counter->Increment();
  latency_->Observe(Seconds(latency));
}

void PrometheusMetrics::SetStockRemaining(std::string_view sale, std::string_view item,
                                          std::int64_t units) {
  stock_->Add({{"sale", std::string(sale)}, {"item", std::string(item)}})
      .Set(static_cast<double>(units));
}

void PrometheusMetrics::SetQueueDepth(std::int64_t orders) {
  queue_depth_->Set(static_cast<double>(orders));
}

void PrometheusMetrics::SetReady(bool ready) { ready_->Set(ready ? 1 : 0); }

std::string PrometheusMetrics::Render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

void PrometheusMetrics::Expose(const std::string& bind_address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(bind_address, 1);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot serve metrics on " + bind_address + ": " + e.what());
  }
  exposer_->RegisterCollectable(registry_);
}

}  // namespace flashsale::metrics
