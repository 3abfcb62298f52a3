#include "flashsale/service/service.hpp"

#include <future>

#include "flashsale/service/json_logger.hpp"
#include "service_parts.hpp"

namespace flashsale::service {

Service::Service(ports::Logger& log) : log_(log), parts_(std::make_unique<Parts>()) {}

Service::~Service() {
  if (started_) Stop();
  sampler_.request_stop();
  if (sampler_.joinable()) sampler_.join();
  if (parts_->housekeeping) parts_->housekeeping->Stop();
  if (parts_->sweeper) parts_->sweeper->Stop();
}

std::unique_ptr<Service> Service::Create(const ServiceOptions& options) {
  auto log = std::make_unique<JsonLogger>("flashsale", stderr);
  auto service = Create(options, *log);
  if (service) service->owned_log_ = std::move(log);
  return service;
}

std::unique_ptr<Service> Service::Create(const ServiceOptions& config, ports::Logger& log) {
  std::unique_ptr<Service> runtime(new Service(log));
  runtime->parts_->config = config;
  if (auto id = domain::SaleId::Parse(config.sale_id)) runtime->parts_->configured_sale = *id;
  if (!runtime->BuildStockStore(config) || !runtime->BuildRepositories(config)) return nullptr;
  if (config.redis_url.empty() || config.mysql_url.empty()) {
    log.Warn(
        "EMBEDDED MEMORY ADAPTERS IN USE: orders are NOT durable and are lost when the "
        "process stops; configure --redis-url and --mysql-url for production",
        {{"memory_store", config.redis_url.empty()},
         {"memory_repository", config.mysql_url.empty()}});
  }
  runtime->parts_->manage = std::make_unique<core::ManageSales>(
      *runtime->parts_->sales, *runtime->parts_->store, runtime->parts_->clock);
  if (!runtime->CreateDemoSale(config) || !runtime->LoadSales(config)) return nullptr;
  runtime->BuildUseCases(config);
  runtime->BuildHousekeeping(config);
  return runtime;
}

void Service::Housekeep() {
  Parts& p = *parts_;
  if (p.schedule) {
    auto created = p.schedule->RunOnce();
    if (!created) {
      log_.Warn("sale schedule failed; retrying", {{"detail", created.error().detail}});
    } else if (*created > 0) {
      log_.Info("scheduled sale created", {{"count", *created}});
    }
  }
  SalesChanged();
}

void Service::SalesChanged() {
  Parts& p = *parts_;
  if (auto refreshed = p.catalog->Refresh(); !refreshed) {
    log_.Warn("sale catalog refresh failed; using the last one",
              {{"detail", refreshed.error().detail}});
  }
  // Every sale open now or later is live in the store (Load is create-if-absent and registers
  // the sale with queue consumers): covers a sale another instance or an operator created,
  // and a load that failed half-way.
  const domain::TimePoint now = p.clock.Now();
  for (const domain::Sale& sale : p.catalog->Recent()) {
    if (sale.ends_at > now) (void)p.store->Load(sale);
  }
}

std::string Service::DefaultSale() const {
  const Parts& p = *parts_;
  if (auto open = p.catalog->DefaultAt(p.clock.Now(), p.configured_sale)) return open->str();
  return p.config.sale_id;  // none open: its answer says so (sale not active / unknown)
}

void Service::Start() {
  if (started_) return;  // once: the workers and tasks are not started twice
  started_ = true;
  if (parts_->config.persistence_workers) parts_->persist->Start();
  parts_->housekeeping->Start();
  parts_->sweeper->Start();
  sampler_ = std::jthread([this](std::stop_token stop) { Sample(stop); });
}

void Service::Sample(std::stop_token stop) {
  Parts& p = *parts_;
  while (!stop.stop_requested()) {
    auto sale = domain::SaleId::Parse(DefaultSale());
    bool up = true;
    if (p.redis_store) up = up && p.redis_store->Healthy();
    if (p.mysql_orders) up = up && p.mysql_orders->Healthy();
    dependencies_up_ = up;
    PublishReadiness();
    if (auto depth = p.queue->Depth()) p.metrics.SetQueueDepth(static_cast<std::int64_t>(*depth));
    if (sale) {
      if (auto snapshot = p.store->Snapshot(*sale)) {
        for (const auto& item : snapshot->items) {
          p.metrics.SetStockRemaining(sale->str(), item.item.str(), item.remaining);
        }
      }
    }
    for (int i = 0; i < 10 && !stop.stop_requested(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

bool Service::Ready() const { return !draining_.load() && dependencies_up_.load(); }

void Service::PublishReadiness() { parts_->metrics.SetReady(Ready()); }

void Service::BeginDrain() {
  draining_ = true;
  parts_->purchase->SetAccepting(false);
  parts_->checkout->SetAccepting(false);
  parts_->complete->SetAccepting(false);
  PublishReadiness();
}

bool Service::Stop(std::chrono::steady_clock::duration drain) {
  BeginDrain();
  return Stop(std::chrono::steady_clock::now() + drain);
}

bool Service::Stop(std::chrono::steady_clock::time_point deadline) {
  std::lock_guard lock(stop_mu_);
  if (stopped_) return *stopped_;
  parts_->housekeeping->Stop();
  parts_->sweeper->Stop();
  const bool flushed = parts_->persist->Stop(deadline);
  // No store callback may run once the front door and the use cases are gone (calls still
  // pending after the drain deadline are answered Unavailable now).
  if (parts_->redis_store) parts_->redis_store->Close();
  if (parts_->redis_limiter) parts_->redis_limiter->Close();
  const auto stats = parts_->persist->stats();
  log_.Info("persistence stopped", {{"flushed", flushed},
                                    {"persisted", stats.persisted},
                                    {"failed", stats.failed},
                                    {"retries", stats.retries}});
  stopped_ = flushed;
  return flushed;
}

namespace {

/// Runs an asynchronous use case and waits for its one answer.
template <class Reply, class Call>
Reply Await(Call call) {
  std::promise<Reply> promise;
  auto answer = promise.get_future();
  call([&promise](Reply reply) { promise.set_value(std::move(reply)); });
  return answer.get();
}

}  // namespace

domain::PurchaseReply Service::Purchase(domain::PurchaseInput input) {
  if (input.sale_id.empty()) input.sale_id = DefaultSale();
  return Await<domain::PurchaseReply>(
      [&](core::PlacePurchase::Done done) { parts_->purchase->Execute(input, std::move(done)); });
}

domain::CheckoutReply Service::Checkout(domain::CheckoutInput input) {
  if (input.sale_id.empty()) input.sale_id = DefaultSale();
  return Await<domain::CheckoutReply>(
      [&](core::CheckoutItem::Done done) { parts_->checkout->Execute(input, std::move(done)); });
}

domain::CompleteReply Service::Complete(const domain::CompleteInput& input) {
  return Await<domain::CompleteReply>([&](core::CompleteCheckout::Done done) {
    parts_->complete->Execute(input, std::move(done));
  });
}

domain::Result<core::OrderView> Service::GetOrder(std::string_view order_id,
                                                  std::string_view sale_id) {
  const std::string sale = sale_id.empty() ? DefaultSale() : std::string(sale_id);
  return parts_->get_order->Execute(order_id, sale);
}

core::PlacePurchase& Service::purchase() { return *parts_->purchase; }
core::GetOrder& Service::orders() { return *parts_->get_order; }
core::CheckoutItem& Service::checkout() { return *parts_->checkout; }
core::CompleteCheckout& Service::complete() { return *parts_->complete; }
core::GetSaleStatus& Service::sale_status() { return *parts_->sale_status; }
core::ManageSales& Service::manage() { return *parts_->manage; }
core::AuditSale& Service::audit() { return *parts_->audit; }
core::LimitRequests& Service::limits() { return *parts_->limits; }
const ports::Clock& Service::clock() const { return parts_->clock; }
ports::RequestMetrics& Service::request_metrics() { return parts_->metrics; }
std::string Service::MetricsText() const { return parts_->metrics.Render(); }
void Service::ServeMetrics(const std::string& address, int port) {
  parts_->metrics.Expose(address + ":" + std::to_string(port));
}

}  // namespace flashsale::service
