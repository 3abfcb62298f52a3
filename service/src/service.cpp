#include "flashsale/service/service.hpp"

#include <unistd.h>

#include <future>

#include "flashsale/core/expire_holds.hpp"
#include "flashsale/core/manage_sales.hpp"
#include "flashsale/core/periodic_task.hpp"
#include "flashsale/core/run_sale_schedule.hpp"
#include "flashsale/core/sale_catalog.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/core/ulid_generator.hpp"
#include "flashsale/memory/memory_order_queue.hpp"
#include "flashsale/memory/memory_order_repository.hpp"
#include "flashsale/memory/memory_rate_limiter.hpp"
#include "flashsale/memory/memory_sale_repository.hpp"
#include "flashsale/memory/memory_stock_store.hpp"
#include "flashsale/metrics/prometheus_metrics.hpp"
#include "flashsale/mysql/migrations.hpp"
#include "flashsale/mysql/mysql_order_repository.hpp"
#include "flashsale/mysql/mysql_sale_repository.hpp"
#include "flashsale/redis/redis_order_queue.hpp"
#include "flashsale/redis/redis_rate_limiter.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "flashsale/service/json_logger.hpp"
#include "flashsale_version.hpp"

namespace flashsale::service {
namespace {

core::PlacePurchaseOptions PurchaseOptionsFrom(const ServiceOptions& config) {
  core::PlacePurchaseOptions options;
  options.max_per_order = config.max_per_order;
  options.sold_out_fast_path = config.sold_out_fast_path;
  return options;
}

core::PersistOptions PersistOptionsFrom(const ServiceOptions& config) {
  core::PersistOptions options;
  options.workers = config.workers;
  options.batch_size = static_cast<std::size_t>(config.batch_size);
  // Unique per process, so a restarted process never impersonates a dead one's consumers.
  char host[64] = "host";
  ::gethostname(host, sizeof(host) - 1);
  options.consumer_prefix = std::string(host) + "-" + std::to_string(::getpid());
  return options;
}

core::ScheduleOptions ScheduleOptionsFrom(const ServiceOptions& config) {
  core::ScheduleOptions options;
  options.period = std::chrono::seconds(config.schedule_period_s);
  options.lead = std::min<std::chrono::seconds>(std::chrono::seconds(60),
                                                std::chrono::seconds(config.schedule_period_s / 2));
  options.item = config.schedule_item;
  options.item_name = config.schedule_item;
  options.stock = config.schedule_stock;
  options.price_cents = config.schedule_price_cents;
  options.per_user_limit = config.schedule_per_user_limit;
  return options;
}

std::string Join(const std::vector<int>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i == 0 ? "" : ",") + std::to_string(values[i]);
  }
  return out + "]";
}

}  // namespace

struct Service::Parts {
  ServiceOptions config;
  core::SystemClock clock;
  core::UlidGenerator ids{clock};
  std::optional<domain::SaleId> configured_sale;  // --sale-id (validated by the flag)
  metrics::PrometheusMetrics metrics{FLASHSALE_VERSION};
  // Embedded defaults (only the ones in use are created).
  std::unique_ptr<memory::MemoryOrderQueue> memory_queue;
  std::unique_ptr<memory::MemoryStockStore> memory_store;
  std::unique_ptr<memory::MemorySaleRepository> memory_sales;
  std::unique_ptr<memory::MemoryOrderRepository> memory_orders;
  // Real backends.
  std::unique_ptr<redis::RedisStockStore> redis_store;
  std::unique_ptr<redis::RedisOrderQueue> redis_queue;
  std::unique_ptr<mysql::MySqlSaleRepository> mysql_sales;
  std::unique_ptr<mysql::MySqlOrderRepository> mysql_orders;
  // Ports in use.
  ports::StockStore* store = nullptr;
  ports::OrderQueue* queue = nullptr;
  ports::SaleRepository* sales = nullptr;
  ports::OrderRepository* orders = nullptr;
  // Use cases.
  std::unique_ptr<core::ManageSales> manage;
  std::unique_ptr<core::SaleCatalog> catalog;
  std::unique_ptr<core::PlacePurchase> purchase;
  std::unique_ptr<core::GetOrder> get_order;
  std::unique_ptr<core::CheckoutItem> checkout;
  std::unique_ptr<core::CompleteCheckout> complete;
  std::unique_ptr<core::GetSaleStatus> sale_status;
  std::unique_ptr<core::AuditSale> audit;
  std::unique_ptr<memory::MemoryRateLimiter> memory_limiter;
  std::unique_ptr<redis::RedisRateLimiter> redis_limiter;
  std::unique_ptr<core::LimitRequests> limits;
  std::unique_ptr<core::PersistOrders> persist;
  // Housekeeping (last: stopped first).
  std::unique_ptr<core::RunSaleSchedule> schedule;
  std::unique_ptr<core::ExpireHolds> expire;
  std::unique_ptr<core::PeriodicTask> housekeeping;
};

Service::Service(ports::Logger& log) : log_(log), parts_(std::make_unique<Parts>()) {}

Service::~Service() {
  if (started_) Stop();
  sampler_.request_stop();
  if (sampler_.joinable()) sampler_.join();
  if (parts_->housekeeping) parts_->housekeeping->Stop();
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

bool Service::BuildStockStore(const ServiceOptions& config) {
  Parts& p = *parts_;
  if (config.redis_url.empty()) {
    p.memory_queue = std::make_unique<memory::MemoryOrderQueue>();
    p.memory_store = std::make_unique<memory::MemoryStockStore>(*p.memory_queue, p.clock);
    p.store = p.memory_store.get();
    p.queue = p.memory_queue.get();
    return true;
  }
  auto options = redis::ParseRedisUrl(config.redis_url);
  if (!options) {
    log_.Error("bad redis url", {{"detail", options.error().detail}});
    return false;
  }
  options->command_timeout = std::chrono::milliseconds(config.redis_timeout_ms);
  options->pipelines = config.redis_pipelines;
  options->sale_retention = std::chrono::seconds(config.sale_retention_s);
  p.redis_store = std::make_unique<redis::RedisStockStore>(*options);
  p.redis_queue = std::make_unique<redis::RedisOrderQueue>(*options, log_);
  p.store = p.redis_store.get();
  p.queue = p.redis_queue.get();
  log_.Info("stock store: redis",
            {{"url", RedactUrl(config.redis_url)}, {"connected", p.redis_store->Healthy()}});
  return true;
}

namespace {

/// Applies the pending migrations; logs what it did or why it failed.
bool ApplyMigrations(const mysql::MySqlOptions& url, ports::Logger& log) {
  auto report = mysql::Migrate(url);
  if (!report) {
    log.Error("migration failed", {{"detail", report.error().detail}});
    return false;
  }
  log.Info("migrations",
           {{"applied", ports::RawJson{Join(report->applied)}}, {"current", report->current}});
  return true;
}

}  // namespace

bool MigrateOnly(const ServiceOptions& options, ports::Logger& log) {
  auto url = mysql::ParseMySqlUrl(options.mysql_url);
  if (!url) {
    log.Error("bad mysql url", {{"detail", url.error().detail}});
    return false;
  }
  return ApplyMigrations(*url, log);
}

bool Service::BuildRepositories(const ServiceOptions& config) {
  Parts& p = *parts_;
  if (config.mysql_url.empty()) {
    p.memory_sales = std::make_unique<memory::MemorySaleRepository>();
    p.memory_orders = std::make_unique<memory::MemoryOrderRepository>(*p.memory_sales);
    p.sales = p.memory_sales.get();
    p.orders = p.memory_orders.get();
    return true;
  }
  auto options = mysql::ParseMySqlUrl(config.mysql_url);
  if (!options) {
    log_.Error("bad mysql url", {{"detail", options.error().detail}});
    return false;
  }
  if (config.migrate && !ApplyMigrations(*options, log_)) return false;
  options->max_connections = config.workers + 8;
  p.mysql_sales = std::make_unique<mysql::MySqlSaleRepository>(*options);
  p.mysql_orders = std::make_unique<mysql::MySqlOrderRepository>(*options);
  p.sales = p.mysql_sales.get();
  p.orders = p.mysql_orders.get();
  log_.Info("order repository: mysql", {{"url", mysql::Redacted(*options)}});
  return true;
}

bool Service::CreateDemoSale(const ServiceOptions& config) {
  if (!config.demo_sale) return true;
  if (config.schedule != "none") {
    log_.Info("no demo sale: the schedule opens the sales", {{"schedule", config.schedule}});
    return true;
  }
  Parts& p = *parts_;
  auto sale_id = domain::SaleId::Parse(config.sale_id);
  auto item_id = domain::ItemId::Parse(config.demo_item);
  if (!sale_id || !item_id) {
    log_.Error("bad demo sale ids");
    return false;
  }
  domain::Sale demo{*sale_id,
                    {},
                    config.demo_per_user_limit,
                    p.clock.Now() - std::chrono::minutes(1),
                    p.clock.Now() + std::chrono::hours(24 * 365)};
  demo.items.push_back(
      domain::SaleItem{*item_id, config.demo_stock, config.demo_price_cents, config.demo_item});
  auto created = p.manage->Create(demo);
  if (created) {
    log_.Info("demo sale created", {{"sale_id", config.sale_id},
                                    {"item_id", config.demo_item},
                                    {"stock", config.demo_stock},
                                    {"per_user_limit", config.demo_per_user_limit}});
  } else if (created.error().outcome != domain::Outcome::kDuplicateRequest) {
    log_.Error("cannot create the demo sale", {{"detail", created.error().detail}});
    return false;
  }
  return true;
}

bool Service::LoadSales(const ServiceOptions& config) {
  Parts& p = *parts_;
  auto loaded = p.manage->LoadOpenSales();
  if (!loaded) {
    log_.Error("cannot load sales into the stock store", {{"detail", loaded.error().detail}});
    return false;
  }
  log_.Info("sales loaded into the stock store", {{"newly_loaded", *loaded}});
  if (p.redis_queue) {
    if (auto id = domain::SaleId::Parse(config.sale_id)) p.redis_queue->Watch(*id);
  }
  return true;
}

void Service::BuildUseCases(const ServiceOptions& config) {
  Parts& p = *parts_;
  p.purchase = std::make_unique<core::PlacePurchase>(*p.store, p.ids, p.clock, p.metrics,
                                                     PurchaseOptionsFrom(config));
  p.get_order = std::make_unique<core::GetOrder>(*p.orders, *p.store);
  const auto hold_ttl = std::chrono::seconds(config.hold_ttl_s);
  p.checkout = std::make_unique<core::CheckoutItem>(*p.store, p.ids, p.clock, p.metrics,
                                                    core::CheckoutOptions{hold_ttl});
  p.complete = std::make_unique<core::CompleteCheckout>(*p.store, p.ids, p.clock, p.metrics);
  // Holds outlive their sale by up to their TTL: the catalog keeps sales that long.
  p.catalog =
      std::make_unique<core::SaleCatalog>(*p.sales, p.clock, hold_ttl + std::chrono::minutes(1));
  p.sale_status =
      std::make_unique<core::GetSaleStatus>(*p.catalog, *p.store, p.clock, p.configured_sale);
  p.audit = std::make_unique<core::AuditSale>(*p.catalog, *p.store, *p.orders);
  BuildLimits(config);
  p.persist = std::make_unique<core::PersistOrders>(*p.queue, *p.orders, *p.store, p.metrics,
                                                    PersistOptionsFrom(config), &log_);
}

void Service::BuildLimits(const ServiceOptions& config) {
  Parts& p = *parts_;
  core::LimitOptions limits;
  if (!config.rate_limit_user.empty()) {
    limits.per_user = *core::RatePolicy::Parse(config.rate_limit_user);  // validated by the flag
  }
  if (!config.rate_limit_ip.empty()) {
    limits.per_address = *core::RatePolicy::Parse(config.rate_limit_ip);
  }
  // Shared by every instance through Redis when Redis is the store (on the store's own
  // connection: the admit and the reserve after it share an I/O thread); in-process otherwise.
  if (p.redis_store && (limits.per_user || limits.per_address)) {
    p.redis_limiter = std::make_unique<redis::RedisRateLimiter>(p.redis_store->HotPipeline());
    p.limits = std::make_unique<core::LimitRequests>(*p.redis_limiter, limits);
  } else {
    p.memory_limiter = std::make_unique<memory::MemoryRateLimiter>(p.clock);
    p.limits = std::make_unique<core::LimitRequests>(*p.memory_limiter, limits);
  }
  if (limits.per_user || limits.per_address) {
    log_.Info("rate limits",
              {{"per_user", config.rate_limit_user.empty() ? "off" : config.rate_limit_user},
               {"per_address", config.rate_limit_ip.empty() ? "off" : config.rate_limit_ip},
               {"shared_through", p.redis_store ? "redis" : "this process"},
               {"trust_proxy", config.trust_proxy}});
  }
}

void Service::BuildHousekeeping(const ServiceOptions& config) {
  Parts& p = *parts_;
  if (config.schedule != "none") {
    p.schedule =
        std::make_unique<core::RunSaleSchedule>(*p.manage, p.clock, ScheduleOptionsFrom(config));
  }
  core::ExpireHoldsOptions expire;
  expire.retention = std::chrono::seconds(config.sale_retention_s);
  p.expire = std::make_unique<core::ExpireHolds>(*p.store, p.clock, p.metrics, log_, expire);
  p.housekeeping = std::make_unique<core::PeriodicTask>(
      std::chrono::milliseconds(config.sweep_interval_ms), [this] { Housekeep(); });
  Housekeep();  // the schedule's sale and the catalog exist before traffic starts
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
  p.expire->RunOnce();
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
