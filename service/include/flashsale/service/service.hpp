#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

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
#include "flashsale/service/service_options.hpp"

namespace flashsale::service {

/// Applies the pending MySQL migrations of `options.mysql_url` and returns; for a one-shot
/// migration step before the instances start (they then need no --migrate). False (after
/// logging why) on a bad URL or a failed migration.
bool MigrateOnly(const ServiceOptions& options, ports::Logger& log);

/// libflashsale in one object: everything behind the front doors, built from ServiceOptions:
/// the stock store, queue and repositories (Redis/MySQL when configured, the embedded memory
/// adapters otherwise), the use cases, the persistence workers, the housekeeping tasks (sale
/// schedule and catalog refresh; hold expiry and retirement) and a 1 s sampler for gauges and
/// readiness. Owns all of it, and is the one owner of readiness; destroyed in reverse order of
/// construction. Both apps are built on it; so is an embedding program:
///
///   auto service = flashsale::service::Service::Create({});  // memory + demo sale
///   service->Start();
///   auto reply = service->Purchase({.item_id = "iphone-15", .user_id = "alice",
///                                   .request_id = "r1", .quantity = 1});
///   service->Stop();
///
/// Thread-safe: the calls may come from any thread at once.
class Service {
 public:
  /// Builds and wires; runs migrations and creates the demo sale when asked. Logs what it
  /// chose to `log` (which must outlive the service). nullptr (after logging why) when a
  /// dependency can't be set up.
  static std::unique_ptr<Service> Create(const ServiceOptions& options, ports::Logger& log);
  /// The same, logging JSON lines to stderr.
  static std::unique_ptr<Service> Create(const ServiceOptions& options);
  /// Stops (Stop()) when still running.
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// Starts the persistence workers, the housekeeping tasks and the sampler. Once (later
  /// calls do nothing).
  void Start();

  // Blocking calls, for embedding programs (the front doors use the asynchronous use cases
  // below). Each validates its input and answers every outcome in the reply, never throws.
  // Not from inside a use case's completion (e.g. a Redis I/O thread): that thread is the one
  // that would answer, so the call would wait forever.
  /// A one-step purchase (sale_id empty: the default sale).
  domain::PurchaseReply Purchase(domain::PurchaseInput input);
  /// A checkout: holds a unit and answers a one-time code.
  domain::CheckoutReply Checkout(domain::CheckoutInput input);
  /// Redeems a checkout code into an order.
  domain::CompleteReply Complete(const domain::CompleteInput& input);
  /// An order's status (sale_id empty: the default sale).
  domain::Result<core::OrderView> GetOrder(std::string_view order_id,
                                           std::string_view sale_id = {});
  /// BeginDrain, then Stop within `drain`. Idempotent.
  bool Stop(std::chrono::steady_clock::duration drain = std::chrono::seconds(10));

  /// Readiness: dependencies reachable and not draining.
  bool Ready() const;
  /// Readiness off and new purchases answered Unavailable (503 / UNAVAILABLE).
  void BeginDrain();
  /// Flushes the order queue until empty or `deadline`, stops the workers. True when flushed.
  /// Idempotent (a second call returns the first one's answer).
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
  /// Serves GET /metrics itself on address:port (for a process without an HTTP front door).
  /// Throws std::runtime_error when it cannot listen.
  void ServeMetrics(const std::string& address, int port);

 private:
  struct Parts;
  explicit Service(ports::Logger& log);
  bool BuildStockStore(const ServiceOptions& config);
  bool BuildRepositories(const ServiceOptions& config);
  bool CreateDemoSale(const ServiceOptions& config);
  bool LoadSales(const ServiceOptions& config);
  void BuildUseCases(const ServiceOptions& config);
  void BuildHousekeeping(const ServiceOptions& config);
  void BuildLimits(const ServiceOptions& config);
  /// One housekeeping pass: schedule, catalog refresh (the expiry sweep and retirement run
  /// on a thread of their own, every --sweep-interval-ms too).
  void Housekeep();
  void Sample(std::stop_token stop);
  /// The one place readiness is computed and published (the flashsale_ready gauge).
  void PublishReadiness();

  std::unique_ptr<ports::Logger> owned_log_;  ///< Create(options) only
  ports::Logger& log_;
  std::unique_ptr<Parts> parts_;
  std::mutex stop_mu_;
  std::optional<bool> stopped_;  ///< Stop's answer, once stopped
  bool started_ = false;
  std::atomic<bool> draining_{false};
  std::atomic<bool> dependencies_up_{true};
  std::jthread sampler_;
};

}  // namespace flashsale::service
