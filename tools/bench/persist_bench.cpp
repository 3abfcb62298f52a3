// Persistence throughput: queue N accepted orders in Redis, then drain them into MySQL with
// PersistOrders and time it. Same stack, several batch sizes, one run:
//   persist_bench <redis-url> <mysql-url> <orders> <workers> <batch> [<batch> ...]
// Use a Redis database of its own (redis://host:port/1): queue consumers of running apps
// watch every sale of their database and would share the work.
// Prints one JSON line per batch size.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <semaphore>
#include <string>
#include <thread>

#include "flashsale/core/manage_sales.hpp"
#include "flashsale/core/persist_orders.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/core/ulid_generator.hpp"
#include "flashsale/mysql/migrations.hpp"
#include "flashsale/mysql/mysql_order_repository.hpp"
#include "flashsale/mysql/mysql_sale_repository.hpp"
#include "flashsale/ports/logger.hpp"
#include "flashsale/redis/connection.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_order_queue.hpp"
#include "flashsale/redis/redis_stock_store.hpp"

namespace {

/// used_memory from INFO memory, and MEMORY USAGE of one key (bytes; -1 when unknown).
long long UsedMemory(flashsale::redis::Connection& c) {
  auto info = c.Command({"INFO", "memory"});
  if (!info) return -1;
  std::string text(flashsale::redis::Str(info->get()));
  auto at = text.find("used_memory:");
  return at == std::string::npos ? -1 : std::atoll(text.c_str() + at + 12);
}
long long KeyBytes(flashsale::redis::Connection& c, const std::string& key) {
  auto reply = c.Command({"MEMORY", "USAGE", key, "SAMPLES", "0"});
  return reply ? flashsale::redis::Int(reply->get()) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace flashsale;
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s <redis-url> <mysql-url> <orders> <workers> <batch>...\n",
                 argv[0]);
    return 2;
  }
  auto parsed_redis = redis::ParseRedisUrl(argv[1]);
  if (!parsed_redis) {
    std::fprintf(stderr, "%s\n", parsed_redis.error().detail.c_str());
    return 2;
  }
  redis::RedisOptions redis_options = *parsed_redis;
  redis_options.command_timeout = std::chrono::milliseconds(2000);
  auto mysql_options = mysql::ParseMySqlUrl(argv[2]);
  if (!mysql_options) {
    std::fprintf(stderr, "%s\n", mysql_options.error().detail.c_str());
    return 2;
  }
  const long orders = std::atol(argv[3]);
  const int workers = std::atoi(argv[4]);
  if (auto migrated = mysql::Migrate(*mysql_options); !migrated) {
    std::fprintf(stderr, "migrate: %s\n", migrated.error().detail.c_str());
    return 1;
  }
  core::SystemClock clock;
  core::UlidGenerator ids(clock);
  redis::RedisStockStore store(redis_options);
  ports::NullLogger log;
  redis::RedisOrderQueue queue(redis_options, log);
  mysql::MySqlSaleRepository sales(*mysql_options);
  mysql::MySqlOrderRepository repository(*mysql_options);
  core::ManageSales manage(sales, store, clock);
  ports::NullMetrics metrics;

  for (int arg = 5; arg < argc; ++arg) {
    const std::size_t batch = static_cast<std::size_t>(std::atol(argv[arg]));
    const std::string sale_id =
        "persist-" + std::to_string(::time(nullptr)) + "-" + std::to_string(batch);
    domain::Sale sale{*domain::SaleId::Parse(sale_id),
                      {},
                      1'000'000'000,
                      clock.Now() - std::chrono::minutes(1),
                      clock.Now() + std::chrono::hours(1)};
    sale.items.push_back(domain::SaleItem{*domain::ItemId::Parse("item-1"), orders, 100, "bench"});
    if (auto created = manage.Create(sale); !created) {
      std::fprintf(stderr, "create sale: %s\n", created.error().detail.c_str());
      return 1;
    }
    auto probe = redis::Connection::Open(redis_options);
    if (!probe) {
      std::fprintf(stderr, "redis: %s\n", probe.error().detail.c_str());
      return 1;
    }
    const long long memory_before = UsedMemory(**probe);
    // Fill the queue.
    std::counting_semaphore<4096> slots(512);
    std::atomic<long> accepted{0};
    for (long n = 0; n < orders; ++n) {
      slots.acquire();
      domain::Reservation r{
          domain::PurchaseRequest{sale.id, sale.items[0].id,
                                  *domain::UserId::Parse("u" + std::to_string(n)),
                                  *domain::RequestId::Parse("r"), *domain::Quantity::Parse(1, 1)},
          ids.Next(), clock.Now()};
      store.Reserve(r, [&](domain::PurchaseReply reply) {
        if (reply.outcome == domain::Outcome::kAccepted) ++accepted;
        slots.release();
      });
    }
    for (int i = 0; i < 512; ++i) slots.acquire();
    const long long memory_filled = UsedMemory(**probe);
    const long long stream_filled = KeyBytes(**probe, redis::Keys::Orders(sale.id));
    // Drain.
    core::PersistOptions options;
    options.workers = workers;
    options.batch_size = batch;
    options.consumer_prefix = "bench-" + std::to_string(::getpid()) + "-" + std::to_string(batch);
    auto t0 = std::chrono::steady_clock::now();
    core::PersistOrders persist(queue, repository, store, metrics, options);
    persist.Start();
    while (persist.stats().persisted < static_cast<std::uint64_t>(accepted.load())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    persist.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(10));
    const long long stream_drained = KeyBytes(**probe, redis::Keys::Orders(sale.id));
    const long long memory_drained = UsedMemory(**probe);
    std::printf(
        "{\"batch\": %zu, \"workers\": %d, \"orders\": %ld, \"drain_s\": %.2f, "
        "\"rows_per_s\": %.0f, \"used_memory_before\": %lld, \"used_memory_filled\": %lld, "
        "\"used_memory_drained\": %lld, \"stream_bytes_filled\": %lld, "
        "\"stream_bytes_drained\": %lld}\n",
        batch, workers, accepted.load(), seconds, accepted.load() / seconds, memory_before,
        memory_filled, memory_drained, stream_filled, stream_drained);
    std::fflush(stdout);
  }
  return 0;
}
