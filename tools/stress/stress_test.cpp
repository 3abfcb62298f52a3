// stress_test: drives flashsale-rest or flashsale-grpc and proves the invariants.
//
//   stress_test --transport rest --target 127.0.0.1:8080 --concurrency 64 --requests 20000
//               --users 5000 --verify --redis-url redis://127.0.0.1:6379
//               --mysql-url mysql://flashsale:pw@127.0.0.1:3306/flashsale
//
// Closed loop (N callers, each sends when its previous answer arrives) or open loop (--rate R:
// requests on a fixed schedule; latency counts from the intended send time, so queueing is
// not hidden). Live progress on stderr once per second, a final table (or --json), and with
// --verify PASS/FAIL lines; the exit code is non-zero on any FAIL.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "flashsale.grpc.pb.h"
#include "flashsale/mysql/mysql_order_repository.hpp"
#include "flashsale/mysql/mysql_sale_repository.hpp"
#include "flashsale/redis/connection.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "http_connection.hpp"
#include "latency_histogram.hpp"

namespace {

using namespace flashsale;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string transport = "rest";
  std::string target = "127.0.0.1:8080";
  int concurrency = 64;
  long requests = 10'000;
  double duration_s = 0;
  long users = 1000;
  std::string items = "iphone-15";
  int quantity = 1;
  std::string sale_id = "demo";
  double rate = 0;
  bool json_output = false;
  bool verify = false;
  std::string redis_url;
  std::string mysql_url;
  double drain_timeout_s = 120;
  std::string run_id;
  std::string call = "purchase";  ///< purchase | health (gRPC Check / REST GET /health)
};

enum Kind {
  kAccepted,
  kSoldOut,
  kUserLimit,
  kDuplicate,
  kNotActive,
  kUnknown,
  kInvalid,
  kRateLimited,
  kUnavailable,
  kInternal,
  kTransport,
  kKinds
};
constexpr const char* kNames[kKinds] = {
    "accepted",        "sold_out",     "user_limit_reached", "duplicate_request",
    "sale_not_active", "unknown_item", "invalid_request",    "rate_limited",
    "unavailable",     "internal",     "transport_error"};

struct Answer {
  Kind kind = kTransport;
  std::string order_id;
};

/// One caller's connection to the target.
class Caller {
 public:
  virtual ~Caller() = default;
  virtual Answer Buy(const std::string& user, const std::string& item, const std::string& request,
                     int quantity) = 0;
};

class RestCaller final : public Caller {
 public:
  RestCaller(std::string host, int port, std::string sale)
      : host_(std::move(host)), port_(port), sale_(std::move(sale)) {}
  Answer Buy(const std::string& user, const std::string& item, const std::string& request,
             int quantity) override {
    if (!connection_ || !connection_->open()) {
      connection_ = std::make_unique<tools::HttpConnection>(host_, port_);
    }
    std::string body = json{
        {"request_id", request},
        {"user_id", user},
        {"item_id", item},
        {"quantity", quantity},
        {"sale_id", sale_}}.dump();
    tools::HttpResponse r = connection_->Send("POST", "/api/purchase", body);
    Answer answer;
    if (r.status == 0) {
      connection_.reset();
      return answer;
    }
    json parsed = json::parse(r.body, nullptr, false);
    std::string message = parsed.is_object() ? parsed.value("message", "") : "";
    switch (r.status) {
      case 200:
        answer.kind = kAccepted;
        answer.order_id = parsed.value("order_id", "");
        break;
      case 410:
        answer.kind = kSoldOut;
        break;
      case 403:
        answer.kind = kUserLimit;
        break;
      case 409:
        answer.kind = message == "sale not active" ? kNotActive : kDuplicate;
        break;
      case 404:
        answer.kind = kUnknown;
        break;
      case 400:
        answer.kind = kInvalid;
        break;
      case 429:
        answer.kind = kRateLimited;
        break;
      case 503:
        answer.kind = kUnavailable;
        break;
      default:
        answer.kind = kInternal;
        break;
    }
    if (r.headers["connection"] == "Close" || r.headers["connection"] == "close") {
      connection_.reset();
    }
    return answer;
  }

 private:
  std::string host_;
  int port_;
  std::string sale_;
  std::unique_ptr<tools::HttpConnection> connection_;
};

/// The cheapest call of each front door, for ceilings: gRPC health Check, REST GET /health.
class HealthCaller final : public Caller {
 public:
  HealthCaller(std::shared_ptr<grpc::Channel> channel, std::string host, int port)
      : stub_(channel ? grpc::health::v1::Health::NewStub(channel) : nullptr),
        host_(std::move(host)),
        port_(port) {}
  Answer Buy(const std::string&, const std::string&, const std::string&, int) override {
    Answer answer;
    if (stub_) {
      grpc::health::v1::HealthCheckRequest req;
      grpc::health::v1::HealthCheckResponse res;
      grpc::ClientContext context;
      answer.kind = stub_->Check(&context, req, &res).ok() ? kAccepted : kTransport;
      return answer;
    }
    if (!connection_ || !connection_->open()) {
      connection_ = std::make_unique<tools::HttpConnection>(host_, port_);
    }
    auto r = connection_->Send("GET", "/health");
    if (r.status != 200) connection_.reset();
    answer.kind = r.status == 200 ? kAccepted : kTransport;
    return answer;
  }

 private:
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  std::string host_;
  int port_;
  std::unique_ptr<tools::HttpConnection> connection_;
};

class GrpcCaller final : public Caller {
 public:
  GrpcCaller(std::shared_ptr<grpc::Channel> channel, std::string sale)
      : stub_(flashsale::OrderService::NewStub(std::move(channel))), sale_(std::move(sale)) {}
  Answer Buy(const std::string& user, const std::string& item, const std::string& request,
             int quantity) override {
    flashsale::PurchaseRequest req;
    req.set_request_id(request);
    req.set_user_id(user);
    req.set_item_id(item);
    req.set_quantity(quantity);
    req.set_sale_id(sale_);
    flashsale::PurchaseResponse res;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status status = stub_->Purchase(&context, req, &res);
    Answer answer;
    if (status.ok()) {
      answer.kind = kAccepted;
      answer.order_id = res.order_id();
      return answer;
    }
    std::string reason;
    google::rpc::Status details;
    if (details.ParseFromString(status.error_details())) {
      for (const auto& any : details.details()) {
        google::rpc::ErrorInfo info;
        if (any.UnpackTo(&info)) reason = info.reason();
      }
    }
    if (reason == "SOLD_OUT")
      answer.kind = kSoldOut;
    else if (reason == "USER_LIMIT_REACHED")
      answer.kind = kUserLimit;
    else if (reason == "SALE_NOT_ACTIVE")
      answer.kind = kNotActive;
    else if (reason == "DUPLICATE_REQUEST")
      answer.kind = kDuplicate;
    else if (reason == "UNKNOWN_ITEM")
      answer.kind = kUnknown;
    else if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
      answer.kind = kInvalid;
    else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED)
      answer.kind = kRateLimited;
    else if (status.error_code() == grpc::StatusCode::UNAVAILABLE)
      answer.kind = kUnavailable;
    else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      answer.kind = kTransport;
    else
      answer.kind = kInternal;
    return answer;
  }

 private:
  std::unique_ptr<flashsale::OrderService::Stub> stub_;
  std::string sale_;
};

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

struct Run {
  Options options;
  std::vector<std::string> items;
  tools::LatencyHistogram latency;
  std::array<std::atomic<long>, kKinds> outcomes{};
  std::atomic<long> next{0};
  std::mutex mu;
  std::set<std::string> accepted_ids;
  std::map<std::string, long> accepted_units_by_user;
  std::map<std::string, long> accepted_units_by_item;
  std::map<std::string, long> demand_by_user;  // units asked, per user
  std::set<std::string> items_sold_out;
};

/// Request n -> (user, item, request id). Deterministic, so demand can be computed.
void Describe(const Run& run, long n, std::string& user, std::string& item, std::string& request) {
  user = run.options.run_id + "-u" + std::to_string(n % run.options.users);
  item = run.items[static_cast<std::size_t>(n) % run.items.size()];
  request = run.options.run_id + "-" + std::to_string(n);
}

void Record(Run& run, long n, const Answer& answer, Clock::time_point intended) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - intended);
  run.latency.Record(static_cast<std::uint64_t>(std::max<long long>(0, micros.count())));
  run.outcomes[answer.kind]++;
  std::string user, item, request;
  Describe(run, n, user, item, request);
  std::lock_guard lock(run.mu);
  run.demand_by_user[user] += run.options.quantity;
  if (answer.kind == kAccepted) {
    run.accepted_ids.insert(answer.order_id);
    run.accepted_units_by_user[user] += run.options.quantity;
    run.accepted_units_by_item[item] += run.options.quantity;
  } else if (answer.kind == kSoldOut) {
    run.items_sold_out.insert(item);
  }
}

std::unique_ptr<Caller> MakeCaller(const Options& o, std::shared_ptr<grpc::Channel> channel) {
  auto colon = o.target.rfind(':');
  if (o.call == "health") {
    return std::make_unique<HealthCaller>(o.transport == "grpc" ? channel : nullptr,
                                          o.target.substr(0, colon),
                                          std::stoi(o.target.substr(colon + 1)));
  }
  if (o.transport == "grpc") return std::make_unique<GrpcCaller>(std::move(channel), o.sale_id);
  return std::make_unique<RestCaller>(o.target.substr(0, colon),
                                      std::stoi(o.target.substr(colon + 1)), o.sale_id);
}

void Drive(Run& run) {
  const Options& o = run.options;
  std::shared_ptr<grpc::Channel> channel;
  if (o.transport == "grpc") {
    channel = grpc::CreateChannel(o.target, grpc::InsecureChannelCredentials());
  }
  const auto start = Clock::now();
  const auto end = o.duration_s > 0 ? start + std::chrono::duration_cast<Clock::duration>(
                                                  std::chrono::duration<double>(o.duration_s))
                                    : Clock::time_point::max();
  const long limit = o.duration_s > 0 ? std::numeric_limits<long>::max() : o.requests;
  const auto interval =
      o.rate > 0 ? std::chrono::duration<double>(1.0 / o.rate) : std::chrono::duration<double>(0);
  std::vector<std::thread> callers;
  for (int c = 0; c < o.concurrency; ++c) {
    callers.emplace_back([&] {
      auto caller = MakeCaller(o, channel);
      for (;;) {
        long n = run.next.fetch_add(1);
        if (n >= limit) return;
        Clock::time_point intended = Clock::now();
        if (o.rate > 0) {
          // Open loop: request n is due at start + n / rate, whether or not we are ready.
          intended = start + std::chrono::duration_cast<Clock::duration>(interval * n);
          if (intended >= end) return;
          std::this_thread::sleep_until(intended);
        } else if (Clock::now() >= end) {
          return;
        }
        std::string user, item, request;
        Describe(run, n, user, item, request);
        Answer answer = caller->Buy(user, item, request, o.quantity);
        Record(run, n, answer, intended);
      }
    });
  }
  std::atomic<bool> done{false};
  std::thread progress([&] {
    long last = 0;
    while (!done.load()) {
      for (int i = 0; i < 10 && !done.load(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      long now = static_cast<long>(run.latency.count());
      std::fprintf(
          stderr,
          "[%5.1fs] %6ld req/s | accepted %ld sold_out %ld other %ld | p50 %.2f ms p99 %.2f ms\n",
          std::chrono::duration<double>(Clock::now() - start).count(), now - last,
          run.outcomes[kAccepted].load(), run.outcomes[kSoldOut].load(),
          now - run.outcomes[kAccepted].load() - run.outcomes[kSoldOut].load(),
          run.latency.Quantile(0.5) / 1000.0, run.latency.Quantile(0.99) / 1000.0);
      last = now;
    }
  });
  for (auto& caller : callers) caller.join();
  done = true;
  progress.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  json report{{"transport", o.transport},
              {"target", o.target},
              {"concurrency", o.concurrency},
              {"mode", o.rate > 0 ? "open" : "closed"},
              {"rate", o.rate},
              {"requests", run.latency.count()},
              {"seconds", elapsed},
              {"throughput_per_s", static_cast<double>(run.latency.count()) / elapsed}};
  json latency{{"p50_ms", run.latency.Quantile(0.50) / 1000.0},
               {"p90_ms", run.latency.Quantile(0.90) / 1000.0},
               {"p99_ms", run.latency.Quantile(0.99) / 1000.0},
               {"p999_ms", run.latency.Quantile(0.999) / 1000.0},
               {"max_ms", run.latency.max() / 1000.0}};
  json outcomes = json::object();
  for (int k = 0; k < kKinds; ++k) {
    if (run.outcomes[k].load() > 0) outcomes[kNames[k]] = run.outcomes[k].load();
  }
  report["latency"] = latency;
  report["outcomes"] = outcomes;
  if (o.json_output) {
    std::printf("%s\n", report.dump().c_str());
  } else {
    std::printf(
        "\n%-18s %s (%s loop, %d callers%s)\n", "target", o.target.c_str(),
        o.rate > 0 ? "open" : "closed", o.concurrency,
        o.rate > 0 ? (", " + std::to_string(static_cast<long>(o.rate)) + "/s").c_str() : "");
    std::printf("%-18s %ld in %.2f s = %.0f req/s\n", "requests",
                static_cast<long>(run.latency.count()), elapsed,
                static_cast<double>(run.latency.count()) / elapsed);
    std::printf("%-18s p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms\n", "latency",
                latency["p50_ms"].get<double>(), latency["p90_ms"].get<double>(),
                latency["p99_ms"].get<double>(), latency["p999_ms"].get<double>(),
                latency["max_ms"].get<double>());
    for (auto it = outcomes.begin(); it != outcomes.end(); ++it) {
      std::printf("%-18s %ld\n", it.key().c_str(), it.value().get<long>());
    }
  }
  std::fflush(stdout);
}

/// PASS/FAIL lines; returns the number of FAILs.
int Verify(Run& run) {
  const Options& o = run.options;
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", what.c_str());
    if (!ok) ++failures;
  };
  const long errors =
      run.outcomes[kUnavailable] + run.outcomes[kInternal] + run.outcomes[kTransport];
  check(errors == 0, "every request got a definitive answer (" + std::to_string(errors) +
                         " unavailable/internal/transport errors)");
  check(run.accepted_ids.size() == static_cast<std::size_t>(run.outcomes[kAccepted].load()),
        "accepted order ids are unique (" + std::to_string(run.accepted_ids.size()) + ")");

  auto sale = domain::SaleId::Parse(o.sale_id);
  auto mysql_options = mysql::ParseMySqlUrl(o.mysql_url);
  auto redis_options = redis::ParseRedisUrl(o.redis_url);
  if (!sale || !mysql_options || !redis_options) {
    check(false, "--verify needs --redis-url, --mysql-url and a valid --sale-id");
    return failures;
  }
  mysql::MySqlOrderRepository repository(*mysql_options);
  redis::RedisStockStore store(*redis_options);

  // Wait for the persistence workers to drain the sale's stream.
  auto connection = redis::Connection::Open(*redis_options);
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(o.drain_timeout_s));
  long long backlog = -1;
  while (connection) {
    auto reply = (*connection)->Command({"XLEN", redis::Keys::Orders(*sale)});
    if (!reply) break;
    backlog = redis::Int(reply->get());
    if (backlog == 0 || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  check(backlog == 0, "order queue drained (" + std::to_string(backlog) + " left)");

  auto audit = repository.Audit(*sale);
  auto snapshot = store.Snapshot(*sale);
  if (!audit || !snapshot) {
    check(false, "read MySQL audit and Redis stock");
    return failures;
  }
  std::int64_t limit = 0;
  if (auto found = mysql::MySqlSaleRepository(*mysql_options).Find(*sale);
      found && found->has_value()) {
    limit = (**found).per_user_limit;
  }
  // Exactly the accepted orders are persisted: none missing, and no other order for this
  // run's users (their ids carry the run id, so earlier runs on the same sale don't count).
  std::set<std::string> stored(audit->confirmed_order_ids.begin(),
                               audit->confirmed_order_ids.end());
  std::size_t missing = 0;
  for (const auto& id : run.accepted_ids) missing += stored.count(id) == 0 ? 1 : 0;
  long run_units = 0, accepted_units = 0;
  for (const auto& [user, units] : audit->units_by_user) {
    if (user.rfind(o.run_id + "-u", 0) == 0) run_units += units;
  }
  for (const auto& [user, units] : run.accepted_units_by_user) accepted_units += units;
  check(missing == 0 && run_units == accepted_units,
        "MySQL holds exactly the accepted orders (" + std::to_string(missing) + " of " +
            std::to_string(run.accepted_ids.size()) + " missing; " + std::to_string(run_units) +
            " units stored for this run's users, " + std::to_string(accepted_units) + " accepted)");

  long demand = 0;
  for (const auto& [user, units] : run.demand_by_user) {
    demand += limit > 0 ? std::min<long>(units, limit) : units;
  }
  for (const auto& item : audit->items) {
    std::int64_t remaining = -1;
    for (const auto& s : snapshot->items) {
      if (s.item == item.item) remaining = s.remaining;
    }
    const long accepted = run.accepted_units_by_item[item.item.str()];
    const std::string name = item.item.str();
    check(accepted <= item.stock, name + ": no oversell (" + std::to_string(accepted) +
                                      " accepted <= " + std::to_string(item.stock) + " stock)");
    check(item.sold == item.confirmed_units && item.sold <= item.stock,
          name + ": sold counter == confirmed units (" + std::to_string(item.sold) + ") <= stock");
    check(remaining + item.confirmed_units == item.stock,
          name + ": Redis stock + persisted == initial (" + std::to_string(remaining) + " + " +
              std::to_string(item.confirmed_units) + " == " + std::to_string(item.stock) + ")");
    if (run.items.size() == 1) {
      // One item: every accepted unit was one the crowd asked for, within the limit.
      check(accepted == std::min<long>(demand, accepted + remaining),
            name + ": accepted == min(demand, stock available to this run) (" +
                std::to_string(accepted) + " accepted, demand " + std::to_string(demand) + ")");
    }
    if (run.items_sold_out.count(name)) {
      check(remaining == 0, name + ": sold out means nothing left unsold (" +
                                std::to_string(remaining) + " remaining)");
    }
  }
  long worst = 0;
  for (const auto& [user, units] : audit->units_by_user) worst = std::max<long>(worst, units);
  check(limit == 0 || worst <= limit, "per-user limit never exceeded (max " +
                                          std::to_string(worst) + " <= " + std::to_string(limit) +
                                          ")");
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"stress_test: load flashsale and verify exact-N"};
  app.add_option("--transport", o.transport, "rest or grpc")
      ->check(CLI::IsMember({"rest", "grpc"}));
  app.add_option("--target", o.target, "host:port of the front door");
  app.add_option("--concurrency", o.concurrency, "callers")->check(CLI::Range(1, 4096));
  auto* requests =
      app.add_option("--requests", o.requests, "total requests")->check(CLI::Range(1L, 1L << 40));
  app.add_option("--duration", o.duration_s, "seconds (instead of --requests)")->excludes(requests);
  app.add_option("--users", o.users, "distinct users")->check(CLI::Range(1L, 1L << 30));
  app.add_option("--items", o.items, "comma-separated item ids");
  app.add_option("--quantity", o.quantity, "units per request")->check(CLI::Range(1, 1'000'000));
  app.add_option("--sale-id", o.sale_id, "sale to buy from");
  app.add_option("--rate", o.rate, "open loop: requests per second (0 = closed loop)");
  app.add_flag("--json", o.json_output, "final report as one JSON line");
  app.add_flag("--verify", o.verify, "check the invariants (needs --redis-url and --mysql-url)");
  app.add_option("--redis-url", o.redis_url, "Redis of the target");
  app.add_option("--mysql-url", o.mysql_url, "MySQL of the target");
  app.add_option("--drain-timeout", o.drain_timeout_s, "seconds to wait for persistence");
  app.add_option("--run-id", o.run_id, "prefix of request ids (default: random)");
  app.add_option("--call", o.call, "purchase, or health (the cheapest call: a ceiling)")
      ->check(CLI::IsMember({"purchase", "health"}));
  app.option_defaults()->always_capture_default();
  CLI11_PARSE(app, argc, argv);
  if (o.run_id.empty()) o.run_id = "run" + std::to_string(std::random_device{}() % 1'000'000'000);
  Run run;
  run.options = o;
  run.items = Split(o.items);
  if (run.items.empty()) {
    std::fprintf(stderr, "--items is empty\n");
    return 2;
  }
  Drive(run);
  if (!o.verify) return 0;
  int failures = Verify(run);
  std::printf("%s\n", failures == 0 ? "VERIFY PASS" : "VERIFY FAIL");
  return failures == 0 ? 0 : 1;
}
