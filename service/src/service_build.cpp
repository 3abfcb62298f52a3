// Service's wiring: backends from the options, migrations, the demo sale, use cases, limits
// and the housekeeping tasks.
#include <unistd.h>

#include "flashsale/mysql/migrations.hpp"
#include "flashsale/redis/durability.hpp"
#include "service_parts.hpp"

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
  options->wait_replicas = config.redis_wait_replicas;
  options->item_shards = config.item_shards;
  options->sale_retention = std::chrono::seconds(config.sale_retention_s);
  p.redis_store = std::make_unique<redis::RedisStockStore>(*options);
  p.redis_queue = std::make_unique<redis::RedisOrderQueue>(*options, log_);
  p.store = p.redis_store.get();
  p.queue = p.redis_queue.get();
  log_.Info("stock store: redis",
            {{"url", RedactUrl(config.redis_url)}, {"connected", p.redis_store->Healthy()}});
  redis::ReportDurability(*options, log_);
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
  // Shared by every instance through Redis when Redis is the store: a one-step purchase's
  // buckets ride its reservation (one FCALL), the other routes draw through the limiter on the
  // store's own connection. In-process otherwise.
  if (p.redis_store && (limits.per_user || limits.per_address)) {
    limits.buckets_in_reservation = p.redis_store->DrawsRateBuckets();
    p.redis_limiter = std::make_unique<redis::RedisRateLimiter>(p.redis_store->HotRouter());
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
  const std::chrono::milliseconds interval(config.sweep_interval_ms);
  p.housekeeping = std::make_unique<core::PeriodicTask>(interval, [this] { Housekeep(); });
  // Its own thread: a slow or hung MySQL in the schedule or the catalog refresh never delays
  // the return of expired holds' units.
  p.sweeper = std::make_unique<core::PeriodicTask>(interval, [this] { parts_->expire->RunOnce(); });
  Housekeep();  // the schedule's sale and the catalog exist before traffic starts
  p.expire->RunOnce();
}

}  // namespace flashsale::service
