// Reserve throughput of RedisStockStore through the core use case (validation, ids,
// auto-pipelining) against a running Redis. Stock is large and users unique, so every call
// is a full accepted reservation (DECRBY + HINCRBY + XADD + SET).
//   redis_reserve_bench <port> <seconds> <callers> [pipelines]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "flashsale/core/place_purchase.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/core/ulid_generator.hpp"
#include "flashsale/redis/redis_stock_store.hpp"

int main(int argc, char** argv) {
  using namespace flashsale;
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <port> <seconds> <callers> [pipelines]\n", argv[0]);
    return 2;
  }
  redis::RedisOptions options;
  options.port = std::atoi(argv[1]);
  const int seconds = std::atoi(argv[2]);
  const int callers = std::atoi(argv[3]);
  options.pipelines = argc > 4 ? std::atoi(argv[4]) : 1;
  options.command_timeout = std::chrono::milliseconds(2000);

  redis::RedisStockStore store(options);
  core::SystemClock clock;
  core::UlidGenerator ids(clock);
  ports::NullMetrics metrics;
  core::PlacePurchase place(store, ids, clock, metrics);
  const std::string sale_id = "bench-" + std::to_string(::time(nullptr));
  domain::Sale sale{*domain::SaleId::Parse(sale_id),
                    {},
                    1'000'000'000,
                    clock.Now(),
                    clock.Now() + std::chrono::hours(1)};
  sale.items.push_back(
      domain::SaleItem{*domain::ItemId::Parse("item-1"), 1'000'000'000, 100, "bench item"});
  if (!store.Load(sale).ok()) {
    std::fprintf(stderr, "cannot load the sale (is Redis up on port %d?)\n", options.port);
    return 1;
  }
  std::atomic<long> accepted{0}, other{0};
  std::atomic<bool> stop{false};
  std::counting_semaphore<1 << 20> slots(callers);
  std::thread driver([&] {
    for (long n = 0; !stop.load(); ++n) {
      slots.acquire();
      domain::PurchaseInput input{sale_id, "item-1", "u" + std::to_string(n), "r", 1};
      place.Execute(input, [&](domain::PurchaseReply reply) {
        (reply.outcome == domain::Outcome::kAccepted ? accepted : other)++;
        slots.release();
      });
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));  // warm up
  long start = accepted.load();
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  long done = accepted.load() - start;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop = true;
  driver.join();
  for (int i = 0; i < callers; ++i) slots.acquire();
  std::printf("{\"reserves_per_s\": %.0f, \"callers\": %d, \"pipelines\": %d, \"errors\": %ld}\n",
              done / elapsed, callers, options.pipelines, other.load());
  return other.load() == 0 ? 0 : 1;
}
