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
#include <optional>
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
#include "flashsale/ports/metrics.hpp"
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

/// Memory figures of one run (bytes).
struct Memory {
  long long before = 0, filled = 0, drained = 0, stream_filled = 0, stream_drained = 0;
};

/// The stack under test, built once for every batch size.
class Bench {
 public:
  Bench(const flashsale::redis::RedisOptions& redis_options,
        const flashsale::mysql::MySqlOptions& mysql_options, long orders, int workers)
      : redis_options_(redis_options),
        orders_(orders),
        workers_(workers),
        store_(redis_options),
        queue_(redis_options, log_),
        sales_(mysql_options),
        repository_(mysql_options),
        manage_(sales_, store_, clock_) {}

  /// Queues `orders` accepted orders of a new sale, drains them with `batch`-sized batches,
  /// prints one JSON line. False (after printing why) when a step fails.
  bool Run(std::size_t batch) {
    using namespace flashsale;
    auto sale = CreateSale(batch);
    auto probe = redis::Connection::Open(redis_options_);
    if (!sale || !probe) {
      std::fprintf(stderr, "cannot create the sale or reach Redis\n");
      return false;
    }
    Memory memory;
    memory.before = UsedMemory(**probe);
    const long accepted = Fill(*sale);
    memory.filled = UsedMemory(**probe);
    memory.stream_filled = KeyBytes(**probe, redis::Keys::Orders(sale->id));
    const double seconds = Drain(batch, accepted);
    memory.stream_drained = KeyBytes(**probe, redis::Keys::Orders(sale->id));
    memory.drained = UsedMemory(**probe);
    std::printf(
        "{\"batch\": %zu, \"workers\": %d, \"orders\": %ld, \"drain_s\": %.2f, "
        "\"rows_per_s\": %.0f, \"used_memory_before\": %lld, \"used_memory_filled\": %lld, "
        "\"used_memory_drained\": %lld, \"stream_bytes_filled\": %lld, "
        "\"stream_bytes_drained\": %lld}\n",
        batch, workers_, accepted, seconds, accepted / seconds, memory.before, memory.filled,
        memory.drained, memory.stream_filled, memory.stream_drained);
    std::fflush(stdout);
    return true;
  }

 private:
  std::optional<flashsale::domain::Sale> CreateSale(std::size_t batch) {
    using namespace flashsale;
    const std::string sale_id =
        "persist-" + std::to_string(::time(nullptr)) + "-" + std::to_string(batch);
    domain::Sale sale{*domain::SaleId::Parse(sale_id),
                      {},
                      1,  // every order is another user's
                      clock_.Now() - std::chrono::minutes(1),
                      clock_.Now() + std::chrono::hours(1)};
    sale.items.push_back(domain::SaleItem{*domain::ItemId::Parse("item-1"), orders_, 100, "bench"});
    if (auto created = manage_.Create(sale); !created) {
      std::fprintf(stderr, "create sale: %s\n", created.error().detail.c_str());
      return std::nullopt;
    }
    return sale;
  }

  /// Reserves one unit per order (512 in flight); returns how many were accepted.
  long Fill(const flashsale::domain::Sale& sale) {
    using namespace flashsale;
    std::counting_semaphore<4096> slots(512);
    std::atomic<long> accepted{0};
    for (long n = 0; n < orders_; ++n) {
      slots.acquire();
      domain::Reservation r{
          domain::PurchaseRequest{sale.id, sale.items[0].id,
                                  *domain::UserId::Parse("u" + std::to_string(n)),
                                  *domain::RequestId::Parse("r"), *domain::Quantity::Parse(1, 1)},
          ids_.Next(), clock_.Now()};
      store_.Reserve(r, [&](domain::PurchaseReply reply) {
        if (reply.outcome == domain::Outcome::kAccepted) ++accepted;
        slots.release();
      });
    }
    for (int i = 0; i < 512; ++i) slots.acquire();
    return accepted.load();
  }

  /// Persists everything queued; the seconds it took.
  double Drain(std::size_t batch, long accepted) {
    using namespace flashsale;
    core::PersistOptions options;
    options.workers = workers_;
    options.batch_size = batch;
    options.consumer_prefix = "bench-" + std::to_string(::getpid()) + "-" + std::to_string(batch);
    const auto t0 = std::chrono::steady_clock::now();
    core::PersistOrders persist(queue_, repository_, store_, metrics_, options);
    persist.Start();
    while (persist.stats().persisted < static_cast<std::uint64_t>(accepted)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    persist.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(10));
    return seconds;
  }

  flashsale::redis::RedisOptions redis_options_;
  long orders_;
  int workers_;
  flashsale::core::SystemClock clock_;
  flashsale::core::UlidGenerator ids_{clock_};
  flashsale::ports::NullLogger log_;
  flashsale::ports::NullMetrics metrics_;
  flashsale::redis::RedisStockStore store_;
  flashsale::redis::RedisOrderQueue queue_;
  flashsale::mysql::MySqlSaleRepository sales_;
  flashsale::mysql::MySqlOrderRepository repository_;
  flashsale::core::ManageSales manage_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace flashsale;
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s <redis-url> <mysql-url> <orders> <workers> <batch>...\n",
                 argv[0]);
    return 2;
  }
  auto redis_options = redis::ParseRedisUrl(argv[1]);
  auto mysql_options = mysql::ParseMySqlUrl(argv[2]);
  if (!redis_options || !mysql_options) {
    std::fprintf(stderr, "%s\n",
                 (!redis_options ? redis_options.error() : mysql_options.error()).detail.c_str());
    return 2;
  }
  redis_options->command_timeout = std::chrono::milliseconds(2000);
  if (auto migrated = mysql::Migrate(*mysql_options); !migrated) {
    std::fprintf(stderr, "migrate: %s\n", migrated.error().detail.c_str());
    return 1;
  }
  Bench bench(*redis_options, *mysql_options, std::atol(argv[3]), std::atoi(argv[4]));
  for (int arg = 5; arg < argc; ++arg) {
    if (!bench.Run(static_cast<std::size_t>(std::atol(argv[arg])))) return 1;
  }
  return 0;
}
