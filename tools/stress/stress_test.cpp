// stress_test: drives flashsale-rest or flashsale-grpc and proves the invariants.
//
//   stress_test --transport rest --target 127.0.0.1:8080 --concurrency 64 --requests 20000
//               --users 5000 --verify --redis-url redis://127.0.0.1:6379
//               --mysql-url mysql://flashsale:pw@127.0.0.1:3306/flashsale
//
// Closed loop (N callers, each sends when its previous answer arrives) or open loop (--rate R:
// requests on a fixed schedule; latency counts from the intended send time, so queueing is
// not hidden). One-step purchases are event-driven by default (--engine events): REST from
// one thread over N non-blocking keep-alive connections on epoll, gRPC on the callback API
// with at most N calls in flight. The checkout flow and gRPC health use one blocking thread
// per caller (--engine threads, also available for the others). Live progress on stderr once
// per second, a final table (or --json), and with --verify PASS/FAIL lines; the exit code is
// non-zero on any FAIL.
#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "callers.hpp"
#include "event_driver.hpp"
#include "flashsale_version.hpp"
#include "run.hpp"
#include "verify.hpp"

namespace flashsale::stress {

void Describe(const Run& run, long n, std::string& user, std::string& item, std::string& request) {
  user = run.options.run_id + "-u" + std::to_string(n % run.options.users);
  item = run.items[static_cast<std::size_t>(n) % run.items.size()];
  request = run.options.run_id + "-" + std::to_string(n);
}

void Record(Run& run, long n, const Answer& answer, Clock::time_point intended) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - intended);
  run.latency.Record(static_cast<std::uint64_t>(std::max<long long>(0, micros.count())));
  run.outcomes[answer.kind]++;
  if (answer.attempt) ++run.checkout_attempts;
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

namespace {

using json = nlohmann::json;

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

/// One caller thread: takes request numbers until the run's count or duration is reached.
void CallLoop(Run& run, Caller& caller, Clock::time_point start, Clock::time_point end) {
  const Options& o = run.options;
  const long limit = o.duration_s > 0 ? std::numeric_limits<long>::max() : o.requests;
  const auto interval =
      o.rate > 0 ? std::chrono::duration<double>(1.0 / o.rate) : std::chrono::duration<double>(0);
  for (;;) {
    const long n = run.next.fetch_add(1);
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
    Record(run, n, caller.Buy(user, item, request, o.quantity), intended);
  }
}

/// Prints a progress line on stderr every second until `done`.
void Progress(const Run& run, Clock::time_point start, const std::atomic<bool>& done) {
  long last = 0;
  while (!done.load()) {
    for (int i = 0; i < 10 && !done.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const long now = static_cast<long>(run.latency.count());
    const long accepted = run.outcomes[kAccepted].load();
    const long sold_out = run.outcomes[kSoldOut].load();
    std::fprintf(
        stderr,
        "[%5.1fs] %6ld req/s | accepted %ld sold_out %ld other %ld | p50 %.2f ms p99 %.2f ms\n",
        std::chrono::duration<double>(Clock::now() - start).count(), now - last, accepted, sold_out,
        now - accepted - sold_out, run.latency.Quantile(0.5) / 1000.0,
        run.latency.Quantile(0.99) / 1000.0);
    last = now;
  }
}

json Report(const Run& run, double elapsed) {
  const Options& o = run.options;
  json report{{"transport", o.transport},
              {"engine", o.engine},
              {"flow", o.flow},
              {"target", o.target},
              {"concurrency", o.concurrency},
              {"mode", o.rate > 0 ? "open" : "closed"},
              {"rate", o.rate},
              {"requests", run.latency.count()},
              {"seconds", elapsed},
              {"throughput_per_s", static_cast<double>(run.latency.count()) / elapsed}};
  report["latency"] = json{{"p50_ms", run.latency.Quantile(0.50) / 1000.0},
                           {"p90_ms", run.latency.Quantile(0.90) / 1000.0},
                           {"p99_ms", run.latency.Quantile(0.99) / 1000.0},
                           {"p999_ms", run.latency.Quantile(0.999) / 1000.0},
                           {"max_ms", run.latency.max() / 1000.0}};
  json outcomes = json::object();
  for (int k = 0; k < kKinds; ++k) {
    if (run.outcomes[k].load() > 0) outcomes[kNames[k]] = run.outcomes[k].load();
  }
  report["outcomes"] = outcomes;
  return report;
}

void PrintTable(const Options& o, const json& report) {
  const json& latency = report["latency"];
  std::printf("\n%-18s %s (%s loop, %d callers%s)\n", "target", o.target.c_str(),
              o.rate > 0 ? "open" : "closed", o.concurrency,
              o.rate > 0 ? (", " + std::to_string(static_cast<long>(o.rate)) + "/s").c_str() : "");
  std::printf("%-18s %ld in %.2f s = %.0f req/s\n", "requests", report["requests"].get<long>(),
              report["seconds"].get<double>(), report["throughput_per_s"].get<double>());
  std::printf("%-18s p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms\n", "latency",
              latency["p50_ms"].get<double>(), latency["p90_ms"].get<double>(),
              latency["p99_ms"].get<double>(), latency["p999_ms"].get<double>(),
              latency["max_ms"].get<double>());
  for (auto it = report["outcomes"].begin(); it != report["outcomes"].end(); ++it) {
    std::printf("%-18s %ld\n", it.key().c_str(), it.value().get<long>());
  }
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
  std::vector<std::thread> callers;
  if (o.engine == "events" && o.transport == "grpc") {
    callers.emplace_back([&] { DriveGrpcEvents(run, channel, start, end); });
  } else if (o.engine == "events") {
    callers.emplace_back([&] { DriveRestEvents(run, start, end); });
  } else {
    for (int c = 0; c < o.concurrency; ++c) {
      callers.emplace_back([&] {
        auto caller = MakeCaller(o, channel);
        CallLoop(run, *caller, start, end);
      });
    }
  }
  std::atomic<bool> done{false};
  std::thread progress([&] { Progress(run, start, done); });
  for (auto& caller : callers) caller.join();
  done = true;
  progress.join();
  const json report = Report(run, std::chrono::duration<double>(Clock::now() - start).count());
  if (o.json_output) {
    std::printf("%s\n", report.dump().c_str());
  } else {
    PrintTable(o, report);
  }
  std::fflush(stdout);
}

void AddOptions(CLI::App& app, Options& o) {
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
  app.add_option("--flow", o.flow,
                 "purchase (one step), or checkout (hold a unit, then buy it with the code)")
      ->check(CLI::IsMember({"purchase", "checkout"}));
  app.add_option("--engine", o.engine,
                 "events (one-step purchases: REST on one epoll thread, gRPC on the callback "
                 "API), threads (a blocking thread per caller), or auto (events where it "
                 "applies)")
      ->check(CLI::IsMember({"auto", "events", "threads"}));
  app.option_defaults()->always_capture_default();
}

}  // namespace
}  // namespace flashsale::stress

int main(int argc, char** argv) {
  using namespace flashsale::stress;
  // Debian's abseil keeps absl::Mutex's deadlock detection on; gRPC's mutexes pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  Options o;
  CLI::App app{"stress_test: load flashsale and verify exact-N"};
  AddOptions(app, o);
  app.set_version_flag("--version", FLASHSALE_VERSION);
  CLI11_PARSE(app, argc, argv);
  const bool events_apply = o.flow == "purchase" && (o.transport == "rest" || o.call == "purchase");
  if (o.engine == "events" && !events_apply) {
    std::fprintf(stderr, "--engine events drives one-step purchases (and REST health) only\n");
    return 2;
  }
  if (o.engine == "auto") o.engine = events_apply ? "events" : "threads";
  if (o.run_id.empty()) o.run_id = "run" + std::to_string(std::random_device{}() % 1'000'000'000);
  Run run;
  run.options = o;
  run.items = Split(o.items);
  if (run.items.empty()) {
    std::fprintf(stderr, "--items is empty\n");
    return 2;
  }
  if (o.verify && o.flow == "checkout") run.attempts_before = RecordedAttempts(o);
  Drive(run);
  if (!o.verify) return 0;
  const int failures = Verify(run);
  std::printf("%s\n", failures == 0 ? "VERIFY PASS" : "VERIFY FAIL");
  return failures == 0 ? 0 : 1;
}
