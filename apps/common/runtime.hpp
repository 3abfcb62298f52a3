#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "app_config.hpp"
#include "flashsale/core/audit_sale.hpp"
#include "flashsale/core/checkout_item.hpp"
#include "flashsale/core/complete_checkout.hpp"
#include "flashsale/core/get_order.hpp"
#include "flashsale/core/get_sale_status.hpp"
#include "flashsale/core/limit_requests.hpp"
#include "flashsale/core/manage_sales.hpp"
#include "flashsale/core/persist_orders.hpp"
#include "flashsale/core/place_purchase.hpp"
#include "flashsale/ports/logger.hpp"
#include "flashsale/ports/request_metrics.hpp"

namespace flashsale::app {

/// Everything behind the front doors, built from the config: the stock store, queue and
/// repositories (Redis/MySQL when configured, the embedded memory adapters otherwise), the
/// use cases, the persistence workers, the housekeeping task (sale schedule, catalog refresh,
/// hold expiry, retirement) and a 1 s sampler for gauges and readiness.
/// Owns all of it, and is the one owner of readiness; destroyed in reverse order of
/// construction.
class Runtime {
 public:
  /// Builds and wires; runs migrations and creates the demo sale when asked. Logs what it
  /// chose. nullptr (after logging why) when a dependency can't be set up.
  static std::unique_ptr<Runtime> Build(const AppConfig& config, ports::Logger& log);
  ~Runtime();

  /// Starts the persistence workers, the housekeeping task and the sampler.
  void Start();
  /// Readiness: dependencies reachable and not draining.
  bool Ready() const;
  /// Readiness off and new purchases answered Unavailable (503 / UNAVAILABLE).
  void BeginDrain();
  /// Flushes the order queue until empty or `deadline`, stops the workers. True when flushed.
  bool Stop(std::chrono::steady_clock::time_point deadline);

  core::PlacePurchase& purchase();
  core::GetOrder& orders();
  core::CheckoutItem& checkout();
  core::CompleteCheckout& complete();
  core::GetSaleStatus& sale_status();
  core::ManageSales& manage();
  core::AuditSale& audit();
  core::LimitRequests& limits();
  const ports::Clock& clock() const;
  /// After an operator created or closed a sale: the catalog is refreshed and open sales
  /// loaded now (not at the next housekeeping pass).
  void SalesChanged();
  /// The sale of requests that name none: with a schedule the sale open now, else --sale-id.
  std::string DefaultSale() const;
  ports::RequestMetrics& request_metrics();
  /// The Prometheus text exposition of every metric (the body of GET /metrics).
  std::string MetricsText() const;

 private:
  struct Parts;
  explicit Runtime(ports::Logger& log);
  bool BuildStockStore(const AppConfig& config);
  bool BuildRepositories(const AppConfig& config);
  bool CreateDemoSale(const AppConfig& config);
  bool LoadSales(const AppConfig& config);
  void BuildUseCases(const AppConfig& config);
  void BuildHousekeeping(const AppConfig& config);
  void BuildLimits(const AppConfig& config);
  /// One housekeeping pass: schedule, catalog refresh, expiry sweep, retirement.
  void Housekeep();
  void Sample(std::stop_token stop);
  /// The one place readiness is computed and published (the flashsale_ready gauge).
  void PublishReadiness();

  ports::Logger& log_;
  std::unique_ptr<Parts> parts_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> dependencies_up_{true};
  std::jthread sampler_;
};

}  // namespace flashsale::app
