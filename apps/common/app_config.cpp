#include "app_config.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "flashsale/core/limit_requests.hpp"
#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/quantity.hpp"
#include "flashsale/domain/sale.hpp"
#include "flashsale/mysql/mysql_options.hpp"
#include "flashsale/redis/redis_options.hpp"
#include "flashsale_version.hpp"

namespace flashsale::app {

nlohmann::json AppConfig::Redacted() const {
  return {{"bind", bind},
          {"rest_port", rest_port},
          {"grpc_port", grpc_port},
          {"metrics_port", metrics_port},
          {"http_threads", http_threads},
          {"listen_backlog", listen_backlog},
          {"redis_url", RedactUrl(redis_url)},
          {"mysql_url", RedactUrl(mysql_url)},
          {"migrate", migrate},
          {"persistence_workers", persistence_workers},
          {"sale_id", sale_id},
          {"demo_sale", demo_sale},
          {"demo_item", demo_item},
          {"demo_stock", demo_stock},
          {"demo_per_user_limit", demo_per_user_limit},
          {"demo_price_cents", demo_price_cents},
          {"workers", workers},
          {"batch_size", batch_size},
          {"max_per_order", max_per_order},
          {"max_body_bytes", max_body_bytes},
          {"strict_http", strict_http},
          {"redis_timeout_ms", redis_timeout_ms},
          {"redis_pipelines", redis_pipelines},
          {"redis_wait_replicas", redis_wait_replicas},
          {"item_shards", item_shards},
          {"sold_out_fast_path", sold_out_fast_path},
          {"hold_ttl_s", hold_ttl_s},
          {"schedule", schedule},
          {"schedule_period_s", schedule_period_s},
          {"schedule_stock", schedule_stock},
          {"schedule_item", schedule_item},
          {"schedule_per_user_limit", schedule_per_user_limit},
          {"schedule_price_cents", schedule_price_cents},
          {"sweep_interval_ms", sweep_interval_ms},
          {"sale_retention_s", sale_retention_s},
          {"shutdown_grace_s", shutdown_grace_s},
          {"drain_timeout_s", drain_timeout_s},
          {"admin_api", admin_token.empty() ? "off" : "on (token set)"},
          {"rate_limit_user", rate_limit_user.empty() ? "off" : rate_limit_user},
          {"rate_limit_ip", rate_limit_ip.empty() ? "off" : rate_limit_ip},
          {"trust_proxy", trust_proxy}};
}

namespace {

CLI::Validator IdCheck() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        return domain::IsValidId(v) ? std::string() : "must be 1-64 characters of [A-Za-z0-9._:-]";
      },
      "ID");
}

CLI::Validator RedisUrlCheck() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        if (v.empty()) return {};
        auto parsed = redis::ParseRedisUrl(v);
        return parsed ? std::string() : parsed.error().detail;
      },
      "URL");
}

CLI::Validator MySqlUrlCheck() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        if (v.empty()) return {};
        auto parsed = mysql::ParseMySqlUrl(v);
        return parsed ? std::string() : parsed.error().detail;
      },
      "URL");
}

void AddServerOptions(CLI::App& app, AppConfig& c, Frontend frontend) {
  app.add_option("--bind", c.bind, "Listen address")->envname("FLASHSALE_BIND");
  if (frontend == Frontend::kRest) {
    app.add_option("--port", c.rest_port, "REST port (0 = any free port)")
        ->envname("FLASHSALE_REST_PORT")
        ->check(CLI::Range(0, 65535));
    app.add_option("--http-threads", c.http_threads, "Pistache reactor threads")
        ->envname("FLASHSALE_HTTP_THREADS")
        ->check(CLI::Range(1, 64));
    app.add_option("--listen-backlog", c.listen_backlog,
                   "Connections the kernel queues before they are accepted (the start of a "
                   "sale); capped by net.core.somaxconn")
        ->envname("FLASHSALE_LISTEN_BACKLOG")
        ->check(CLI::Range(16, 1 << 20));
    app.add_flag("--strict-http,!--no-strict-http", c.strict_http,
                 "Own HTTP/1.1 framing: pipelined requests answered in order, malformed framing "
                 "refused at once with problem+json (on by default; --no-strict-http gives "
                 "Pistache's framing back)")
        ->envname("FLASHSALE_STRICT_HTTP");
    app.add_option("--max-body-bytes", c.max_body_bytes, "Largest request body (413 above)")
        ->envname("FLASHSALE_MAX_BODY_BYTES")
        ->check(CLI::Range(256, 1 << 20));
  } else {
    app.add_option("--port", c.grpc_port, "gRPC port (0 = any free port)")
        ->envname("FLASHSALE_GRPC_PORT")
        ->check(CLI::Range(0, 65535));
    app.add_option("--metrics-port", c.metrics_port,
                   "HTTP port serving GET /metrics for Prometheus (0 = off)")
        ->envname("FLASHSALE_METRICS_PORT")
        ->check(CLI::Range(0, 65535));
  }
}

void AddBackendOptions(CLI::App& app, AppConfig& c) {
  app.add_option("--redis-url", c.redis_url,
                 "redis://[:password@]host[:port][,host[:port]...][/db] (several addresses: "
                 "seeds of a Redis Cluster); empty = embedded memory store")
      ->envname("FLASHSALE_REDIS_URL")
      ->check(RedisUrlCheck());
  app.add_option("--mysql-url", c.mysql_url,
                 "mysql://user[:password]@host[:port]/database; empty = embedded memory store")
      ->envname("FLASHSALE_MYSQL_URL")
      ->check(MySqlUrlCheck());
  app.add_flag("--migrate,!--no-migrate", c.migrate, "Apply pending MySQL migrations at start")
      ->envname("FLASHSALE_MIGRATE");
  app.add_flag("--migrate-only", c.migrate_only,
               "Apply pending MySQL migrations to --mysql-url, then exit (0 when applied)");
  app.add_flag("--persistence-workers,!--no-persistence-workers", c.persistence_workers,
               "Persist orders from the queue (off: serve requests only, with a shared Redis "
               "whose stream another instance persists into MySQL)")
      ->envname("FLASHSALE_PERSISTENCE_WORKERS");
}

/// Combinations that would lose or misplace orders; an error message, or empty.
std::string BackendProblem(const AppConfig& c) {
  if (c.migrate_only) {
    return c.mysql_url.empty() ? "--migrate-only needs --mysql-url" : "";
  }
  if (!c.redis_url.empty() && c.mysql_url.empty() && c.persistence_workers) {
    return "--redis-url without --mysql-url: this instance would persist the shared Redis "
           "stream (other instances' orders too) into its own memory, and release the orders "
           "it does not know. Give --mysql-url, or --no-persistence-workers if this instance "
           "only serves requests.";
  }
  if (c.redis_url.empty() && !c.persistence_workers) {
    return "--no-persistence-workers needs --redis-url: with the embedded queue nobody else "
           "would ever persist this instance's orders.";
  }
  if (c.mysql_url.empty() && !c.persistence_workers &&
      (c.demo_sale || c.schedule != "none" || !c.admin_token.empty())) {
    // Sales it created would exist in Redis and in its own memory only: the instance that
    // persists would refuse their orders as unknown and release them.
    return "--no-persistence-workers without --mysql-url serves the sales other instances "
           "create: add --no-demo-sale, and no --schedule or --admin-token.";
  }
  return {};
}

void AddSaleOptions(CLI::App& app, AppConfig& c) {
  app.add_option("--sale-id", c.sale_id, "Default sale for requests that name none")
      ->envname("FLASHSALE_SALE_ID")
      ->check(IdCheck());
  app.add_flag("--demo-sale,!--no-demo-sale", c.demo_sale,
               "Create the default sale with the demo item when it does not exist")
      ->envname("FLASHSALE_DEMO_SALE");
  app.add_option("--demo-item", c.demo_item, "Item of the demo sale")
      ->envname("FLASHSALE_DEMO_ITEM")
      ->check(IdCheck());
  app.add_option("--demo-stock", c.demo_stock, "Units of the demo item")
      ->envname("FLASHSALE_DEMO_STOCK")
      ->check(CLI::Range(std::int64_t{0}, domain::kMaxItemStock));
  app.add_option("--demo-per-user-limit", c.demo_per_user_limit, "Units one user may buy")
      ->envname("FLASHSALE_DEMO_PER_USER_LIMIT")
      ->check(CLI::Range(1, domain::kMaxPerUserLimit));
  app.add_option("--demo-price-cents", c.demo_price_cents, "Unit price of the demo item")
      ->envname("FLASHSALE_DEMO_PRICE_CENTS")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
}

void AddCheckoutOptions(CLI::App& app, AppConfig& c) {
  app.add_option("--hold-ttl", c.hold_ttl_s, "Seconds a checkout holds its unit")
      ->envname("FLASHSALE_HOLD_TTL")
      ->check(CLI::Range(1, 86'400));
  app.add_option("--schedule", c.schedule,
                 "none, or hourly: a sale every period on the period (then no demo sale)")
      ->envname("FLASHSALE_SCHEDULE")
      ->check(CLI::IsMember({"none", "hourly"}));
  app.add_option("--schedule-period", c.schedule_period_s,
                 "Seconds per scheduled sale window (3600 = every hour on the hour)")
      ->envname("FLASHSALE_SCHEDULE_PERIOD")
      ->check(CLI::Range(1, 86'400));
  app.add_option("--schedule-stock", c.schedule_stock, "Units of each scheduled sale")
      ->envname("FLASHSALE_SCHEDULE_STOCK")
      ->check(CLI::Range(std::int64_t{0}, domain::kMaxItemStock));
  app.add_option("--schedule-item", c.schedule_item, "Item of the scheduled sales")
      ->envname("FLASHSALE_SCHEDULE_ITEM")
      ->check(IdCheck());
  app.add_option("--schedule-per-user-limit", c.schedule_per_user_limit,
                 "Units one user may buy in a scheduled sale")
      ->envname("FLASHSALE_SCHEDULE_PER_USER_LIMIT")
      ->check(CLI::Range(1, domain::kMaxPerUserLimit));
  app.add_option("--schedule-price-cents", c.schedule_price_cents,
                 "Unit price of the scheduled item")
      ->envname("FLASHSALE_SCHEDULE_PRICE_CENTS")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  app.add_option("--sweep-interval-ms", c.sweep_interval_ms,
                 "Milliseconds between hold-expiry sweeps (also schedule and catalog refresh)")
      ->envname("FLASHSALE_SWEEP_INTERVAL_MS")
      ->check(CLI::Range(10, 60'000));
  app.add_option("--sale-retention", c.sale_retention_s,
                 "Seconds an ended, settled sale's keys stay in Redis")
      ->envname("FLASHSALE_SALE_RETENTION")
      ->check(CLI::Range(1, 30 * 86'400));
}

CLI::Validator RateCheck() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        if (v.empty() || v == "off") {
          v.clear();
          return {};
        }
        auto parsed = core::RatePolicy::Parse(v);
        return parsed ? std::string() : parsed.error().detail;
      },
      "RATE");
}

void AddLimitOptions(CLI::App& app, AppConfig& c) {
  app.add_option("--rate-limit-user", c.rate_limit_user,
                 "Token bucket per user id on the buying routes, e.g. 20/s:40 (rate per s, m "
                 "or h : burst); off by default")
      ->envname("FLASHSALE_RATE_LIMIT_USER")
      ->check(RateCheck());
  app.add_option("--rate-limit-ip", c.rate_limit_ip,
                 "Token bucket per client address on the buying routes, e.g. 100/s:200; off by "
                 "default")
      ->envname("FLASHSALE_RATE_LIMIT_IP")
      ->check(RateCheck());
  app.add_flag("--trust-proxy,!--no-trust-proxy", c.trust_proxy,
               "Client address from X-Forwarded-For (last entry; gRPC: x-forwarded-for "
               "metadata): only behind a proxy that sets it")
      ->envname("FLASHSALE_TRUST_PROXY");
}

void AddTuningOptions(CLI::App& app, AppConfig& c) {
  app.add_option("--workers", c.workers, "Persistence workers")
      ->envname("FLASHSALE_WORKERS")
      ->check(CLI::Range(1, 64));
  app.add_option("--batch-size", c.batch_size, "Orders per persisted batch")
      ->envname("FLASHSALE_BATCH_SIZE")
      ->check(CLI::Range(1, 5000));
  app.add_option("--max-per-order", c.max_per_order, "Largest quantity of one order")
      ->envname("FLASHSALE_MAX_PER_ORDER")
      ->check(CLI::Range(1, domain::kMaxQuantity));
  app.add_option("--redis-timeout-ms", c.redis_timeout_ms, "Redis command timeout")
      ->envname("FLASHSALE_REDIS_TIMEOUT_MS")
      ->check(CLI::Range(10, 60'000));
  app.add_option("--redis-pipelines", c.redis_pipelines,
                 "Redis hot-path connections (standalone Redis; a cluster has one per master)")
      ->envname("FLASHSALE_REDIS_PIPELINES")
      ->check(CLI::Range(1, 16));
  app.add_option("--redis-wait-replicas", c.redis_wait_replicas,
                 "Replicas that must have a purchase before it is acknowledged (WAIT, at most "
                 "half the Redis timeout; else 503); 0 = answer once the master has it")
      ->envname("FLASHSALE_REDIS_WAIT_REPLICAS")
      ->check(CLI::Range(0, 16));
  app.add_option("--item-shards", c.item_shards,
                 "Sub-stocks per sale for the sales this instance loads: K > 1 splits every "
                 "item over K hash tags (K Redis Cluster masters) for a hot item; one-step "
                 "purchases only (no checkout); stored with the sale")
      ->envname("FLASHSALE_ITEM_SHARDS")
      ->check(CLI::Range(1, 64));
  app.add_flag("--sold-out-fast-path,!--no-sold-out-fast-path", c.sold_out_fast_path,
               "Answer repeated SoldOut without a Redis round trip (staleness <= 100 ms)")
      ->envname("FLASHSALE_SOLD_OUT_FAST_PATH");
  app.add_option("--shutdown-grace", c.shutdown_grace_s,
                 "Seconds between readiness off and draining on SIGTERM")
      ->envname("FLASHSALE_SHUTDOWN_GRACE")
      ->check(CLI::Range(0.0, 300.0));
  app.add_option("--drain-timeout", c.drain_timeout_s,
                 "Seconds to finish in-flight requests and flush the order queue")
      ->envname("FLASHSALE_DRAIN_TIMEOUT")
      ->check(CLI::Range(0.0, 3600.0));
}

/// An admin token is 16-512 visible ASCII characters (no spaces): long enough not to be
/// guessed, and safe in an Authorization header.
std::string TokenProblem(const std::string& token) {
  if (token.size() < 16 || token.size() > 512) return "must be 16-512 characters long";
  for (char c : token) {
    if (c <= ' ' || c > '~') return "must be visible ASCII characters without spaces";
  }
  return {};
}

void AddAdminOptions(CLI::App& app, AppConfig& c, std::string& token_file) {
  auto* token =
      app.add_option("--admin-token", c.admin_token,
                     "Bearer token of the admin API (/admin/...); unset: admin API off")
          ->envname("FLASHSALE_ADMIN_TOKEN")
          ->check(CLI::Validator(
              [](std::string& v) { return v.empty() ? std::string() : TokenProblem(v); }, "TOKEN"));
  token->always_capture_default(false);
  app.add_option("--admin-token-file", token_file,
                 "File holding the admin API's bearer token (trailing newline ignored)")
      ->envname("FLASHSALE_ADMIN_TOKEN_FILE")
      ->check(CLI::ExistingFile)
      ->excludes(token);
}

/// Reads the token file into `c.admin_token`; an error message, or empty.
std::string ReadTokenFile(const std::string& path, AppConfig& c) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return "--admin-token-file: cannot read " + path;
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (auto problem = TokenProblem(token); !problem.empty()) {
    return "--admin-token-file: the token " + problem;
  }
  c.admin_token = std::move(token);
  return {};
}

}  // namespace

std::optional<AppConfig> ParseConfig(int argc, char** argv, Frontend frontend, int& exit_code) {
  AppConfig c;
  CLI::App app{frontend == Frontend::kRest ? "flashsale-rest: the REST front door"
                                           : "flashsale-grpc: the gRPC front door"};
  app.option_defaults()->always_capture_default();
  app.set_version_flag("--version", FLASHSALE_VERSION);
  AddServerOptions(app, c, frontend);
  AddBackendOptions(app, c);
  AddSaleOptions(app, c);
  AddCheckoutOptions(app, c);
  AddTuningOptions(app, c);
  AddLimitOptions(app, c);
  std::string token_file;
  if (frontend == Frontend::kRest) AddAdminOptions(app, c, token_file);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);  // prints help (0) or the error (non-zero)
    if (exit_code != 0) exit_code = 2;
    return std::nullopt;
  }
  if (!token_file.empty()) {
    if (auto error = ReadTokenFile(token_file, c); !error.empty()) {
      std::cerr << error << "\n";
      exit_code = 2;
      return std::nullopt;
    }
  }
  if (auto problem = BackendProblem(c); !problem.empty()) {
    std::cerr << problem << "\n";
    exit_code = 2;
    return std::nullopt;
  }
  exit_code = 0;
  return c;
}

}  // namespace flashsale::app
