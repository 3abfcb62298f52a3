#pragma once

// stress_test's shared state: options, answer kinds and what a run records.

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "latency_histogram.hpp"

namespace flashsale::stress {

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
  std::string flow = "purchase";  ///< purchase (one step) | checkout (checkout, then purchase)
  /// events (event_driver.hpp: REST on one epoll thread, gRPC on the callback API) | threads
  /// (one blocking caller thread per --concurrency) | auto (events for one-step purchases
  /// and REST health, threads for the checkout flow and gRPC health).
  std::string engine = "auto";
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
inline constexpr const char* kNames[kKinds] = {
    "accepted",        "sold_out",     "user_limit_reached", "duplicate_request",
    "sale_not_active", "unknown_item", "invalid_request",    "rate_limited",
    "unavailable",     "internal",     "transport_error"};

struct Answer {
  Kind kind = kTransport;
  std::string order_id;
  /// Checkout flow: the checkout step reached the store (an attempt is recorded).
  bool attempt = false;
};

/// Everything one run records, shared by its callers. Thread-safe where it says so.
struct Run {
  Options options;
  std::vector<std::string> items;
  tools::LatencyHistogram latency;
  std::array<std::atomic<long>, kKinds> outcomes{};
  std::atomic<long> next{0};
  std::atomic<long> checkout_attempts{0};  ///< checkout flow: checkouts that reached the store
  long attempts_before = -1;  ///< checkout attempts recorded for the sale before the run
  std::mutex mu;              // guards the containers below
  std::set<std::string> accepted_ids;
  std::map<std::string, long> accepted_units_by_user;
  std::map<std::string, long> accepted_units_by_item;
  std::map<std::string, long> demand_by_user;  // units asked, per user
  std::set<std::string> items_sold_out;
};

/// Request n -> (user, item, request id). Deterministic, so demand can be computed.
void Describe(const Run& run, long n, std::string& user, std::string& item, std::string& request);

/// Records the answer to request n, sent (or due, in open loop) at `intended`. Thread-safe.
void Record(Run& run, long n, const Answer& answer, Clock::time_point intended);

}  // namespace flashsale::stress
