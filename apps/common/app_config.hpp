#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace flashsale::app {

/// Every setting of the apps. Precedence: defaults < FLASHSALE_* environment < flags.
struct AppConfig {
  std::string bind = "0.0.0.0";  ///< listen address
  int rest_port = 8080;          ///< flashsale-rest
  int grpc_port = 50051;         ///< flashsale-grpc
  int http_threads = 2;          ///< Pistache reactor threads
  int listen_backlog = 4096;     ///< REST listen queue (the kernel caps it at somaxconn)
  std::string redis_url;         ///< empty: embedded memory store (not durable)
  std::string mysql_url;         ///< empty: embedded memory repository (not durable)
  bool migrate = false;          ///< apply pending migrations at start
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
  int max_body_bytes = 16 * 1024;  ///< larger requests get 413
  int redis_timeout_ms = 200;      ///< Redis command timeout
  int redis_pipelines = 1;         ///< Redis hot-path connections
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
  double shutdown_grace_s = 0;    ///< readiness off this long before draining
  double drain_timeout_s = 10;    ///< in-flight requests + queue flush, at most
  /// Bearer token of the admin API (REST /admin/...); empty: the admin API is off. Never
  /// logged (Redacted() shows only whether it is set).
  std::string admin_token;
  std::string rate_limit_user;  ///< "20/s:40": token bucket per user id; empty = off
  std::string rate_limit_ip;    ///< per client address; empty = off
  bool trust_proxy = false;     ///< client address from X-Forwarded-For (REST) / metadata

  /// The effective configuration as JSON, passwords replaced by ***.
  nlohmann::json Redacted() const;
};

enum class Frontend { kRest, kGrpc };

/// Parses flags and environment. Returns the config, or nullopt after printing help (exit 0)
/// or a clear error (exit code in `exit_code`, 2 for bad values).
std::optional<AppConfig> ParseConfig(int argc, char** argv, Frontend frontend, int& exit_code);

/// Replaces the password of a redis:// or mysql:// URL by ***.
std::string RedactUrl(const std::string& url);

}  // namespace flashsale::app
