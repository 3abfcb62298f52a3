#pragma once

#include <cstdint>
#include <string>

namespace flashsale::service {

/// What a flashsale::service::Service is built from: the backends and the sale. The defaults
/// run the embedded memory adapters with a demo sale (not durable: for trying it out and for
/// tests); set redis_url and mysql_url for production.
struct ServiceOptions {
  std::string redis_url;  ///< redis://[:password@]host:port[/db]; empty: embedded memory store
  std::string mysql_url;  ///< mysql://user:password@host:port/db; empty: embedded memory repository
  bool migrate = false;   ///< apply pending migrations at start
  /// Run the persistence workers (off: this instance only serves requests; another instance
  /// with MySQL persists the shared Redis stream).
  bool persistence_workers = true;
  std::string sale_id = "demo";  ///< default sale for requests that name none
  bool demo_sale = true;         ///< create the demo sale when it does not exist
  std::string demo_item = "iphone-15";
  std::int64_t demo_stock = 100;
  std::int32_t demo_per_user_limit = 10;
  std::int64_t demo_price_cents = 99900;
  int workers = 4;                 ///< persistence workers
  int batch_size = 500;            ///< orders per persisted batch
  int max_per_order = 100;         ///< largest quantity of one order
  int redis_timeout_ms = 200;      ///< Redis command timeout
  int redis_pipelines = 1;         ///< Redis hot-path connections
  int redis_wait_replicas = 0;     ///< replicas that must confirm a purchase (WAIT)
  int item_shards = 1;             ///< sub-stocks per sale this instance loads (Redis)
  bool sold_out_fast_path = true;  ///< answer repeated SoldOut locally
  int hold_ttl_s = 600;            ///< how long a checkout holds its unit
  std::string schedule = "none";   ///< "hourly": open a sale every period on the period
  int schedule_period_s = 3600;    ///< window length of the schedule (tests use seconds)
  std::int64_t schedule_stock = 10'000;
  std::string schedule_item = "flash-item";
  std::int32_t schedule_per_user_limit = 10;
  std::int64_t schedule_price_cents = 9'900;
  int sweep_interval_ms = 1000;   ///< hold expiry, schedule and catalog refresh period
  int sale_retention_s = 86'400;  ///< how long an ended, settled sale stays in Redis
  std::string rate_limit_user;    ///< "20/s:40": token bucket per user id; empty = off
  std::string rate_limit_ip;      ///< per client address; empty = off
  bool trust_proxy = false;       ///< client address from X-Forwarded-For / metadata (logged)
};

/// Replaces the password of a redis:// or mysql:// URL by ***.
std::string RedactUrl(const std::string& url);

}  // namespace flashsale::service
