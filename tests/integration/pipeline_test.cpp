// The persistence pipeline for real: Redis stream -> PersistOrders workers -> MariaDB, with
// release in Redis and a dead letter on a permanent failure.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <iostream>
#include <mutex>
#include <semaphore>
#include <set>
#include <sstream>
#include <thread>

#include "builders.hpp"
#include "flashsale/core/audit_sale.hpp"
#include "flashsale/core/checkout_item.hpp"
#include "flashsale/core/get_order.hpp"
#include "flashsale/core/manage_sales.hpp"
#include "flashsale/core/persist_orders.hpp"
#include "flashsale/core/place_purchase.hpp"
#include "flashsale/core/sale_catalog.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/core/ulid_generator.hpp"
#include "flashsale/mysql/migrations.hpp"
#include "flashsale/mysql/mysql_order_repository.hpp"
#include "flashsale/mysql/mysql_sale_repository.hpp"
#include "flashsale/ports/logger.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_order_queue.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "mariadb_server.hpp"
#include "redis_server.hpp"
#include "reserve_sync.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;
using std::chrono::seconds;

MariaDbServer& SharedMariaDb() {
  static MariaDbServer server;
  return server;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mariadb_.ResetDatabase();
    auto migrated = mysql::Migrate(mariadb_.Options());
    ASSERT_TRUE(migrated.ok()) << migrated.error().detail;
  }

  domain::Sale OpenSale(const std::string& id, std::int64_t stock, std::int32_t limit) {
    auto now = clock_.Now();
    return MakeSale(id, stock, limit, now - std::chrono::minutes(1), now + std::chrono::hours(1));
  }

  core::PersistOptions Workers(int n, std::size_t batch = 500) {
    core::PersistOptions options;
    options.workers = n;
    options.batch_size = batch;
    options.backoff_initial = milliseconds(20);
    options.backoff_max = milliseconds(500);
    options.consumer_prefix = "test-" + std::to_string(::getpid());
    return options;
  }

  /// Runs `count` purchases through `place` with up to 128 in flight; collects accepted ids.
  std::set<std::string> Purchase(core::PlacePurchase& place, const std::string& sale, int count,
                                 int users, int threads = 8) {
    std::mutex mu;
    std::set<std::string> accepted;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        std::counting_semaphore<16> slots(16);
        std::atomic<int> outstanding{0};
        for (int i = t; i < count; i += threads) {
          slots.acquire();
          ++outstanding;
          domain::PurchaseInput input{sale, "item-1", "user-" + std::to_string((i * 7919) % users),
                                      "req-" + std::to_string(i), 1};
          place.Execute(input, [&](domain::PurchaseReply reply) {
            if (reply.outcome == Outcome::kAccepted) {
              std::lock_guard lock(mu);
              accepted.insert(reply.order_id->str());
            }
            --outstanding;
            slots.release();
          });
        }
        while (outstanding.load() > 0) std::this_thread::sleep_for(milliseconds(1));
      });
    }
    for (auto& w : workers) w.join();
    return accepted;
  }

  std::set<std::string> StoredOrderIds(const std::string& status = "confirmed") {
    std::set<std::string> ids;
    std::istringstream rows(
        mariadb_.Sql("SELECT order_id FROM flashsale.orders WHERE status = '" + status + "'"));
    std::string line;
    while (std::getline(rows, line)) {
      if (!line.empty()) ids.insert(line);
    }
    return ids;
  }

  long long Number(const std::string& text) { return std::atoll(text.c_str()); }

  MariaDbServer& mariadb_ = SharedMariaDb();
  RedisServer redis_;
  ports::NullLogger log_;
  core::SystemClock clock_;
  // The real adapters, fresh for each test (each test has its own redis-server).
  redis::RedisStockStore store_{redis_.Options()};
  redis::RedisOrderQueue queue_{redis_.Options(), log_};
  mysql::MySqlSaleRepository sales_{mariadb_.Options()};
  mysql::MySqlOrderRepository orders_{mariadb_.Options()};
  core::ManageSales manage_{sales_, store_, clock_};
  core::UlidGenerator ids_{clock_};
  ports::NullMetrics metrics_;
};

TEST_F(PipelineTest, TenThousandUnitsEndUpInMariaDbExactlyOnce) {
  domain::Sale sale = OpenSale("e2e-10k", 10'000, 10);
  ASSERT_TRUE(manage_.Create(sale).ok());

  core::PersistOrders persist(queue_, orders_, store_, metrics_, Workers(4));
  persist.Start();
  core::PlacePurchase place(store_, ids_, clock_, metrics_);
  auto accepted = Purchase(place, sale.id.str(), 25'000, 2'500);
  ASSERT_EQ(accepted.size(), 10'000U);
  ASSERT_TRUE(persist.Stop(std::chrono::steady_clock::now() + seconds(120)));

  EXPECT_EQ(StoredOrderIds(), accepted);
  EXPECT_EQ(mariadb_.Sql("SELECT COUNT(*), COUNT(DISTINCT order_id) FROM flashsale.orders"),
            "10000\t10000");
  EXPECT_EQ(*orders_.CountSold(sale.id, sale.items[0].id), 10'000);
  EXPECT_EQ(store_.Snapshot(sale.id)->items[0].remaining, 0);
  EXPECT_EQ(redis_.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "0");
  EXPECT_EQ(redis_.Cli("XPENDING '" + redis::Keys::Orders(sale.id) + "' persist").substr(0, 1),
            "0");
  EXPECT_EQ(persist.stats().persisted, 10'000U);
  EXPECT_EQ(persist.stats().failed, 0U);
}

/// Saves for real, then hangs (a worker that died between save and ack) until released.
class HangAfterSave final : public ports::OrderRepository {
 public:
  explicit HangAfterSave(ports::OrderRepository& real) : real_(real) {}
  domain::Result<std::vector<ports::SaveResult>> SaveBatch(
      std::span<const domain::Order> o) override {
    auto result = real_.SaveBatch(o);
    std::unique_lock lock(mu_);
    saved_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return released_; });
    return domain::Error{Outcome::kUnavailable, "worker died"};
  }
  domain::Result<void> SaveAttempts(std::span<const domain::CheckoutAttempt> a) override {
    return real_.SaveAttempts(a);
  }
  domain::Result<std::optional<domain::Order>> Find(const domain::OrderId& id) override {
    return real_.Find(id);
  }
  domain::Result<std::int64_t> CountSold(const domain::SaleId& s,
                                         const domain::ItemId& i) override {
    return real_.CountSold(s, i);
  }
  domain::Result<ports::SaleAudit> Audit(const domain::SaleId& s,
                                         std::optional<domain::QueuePosition> up_to) override {
    return real_.Audit(s, up_to);
  }
  void WaitSaved() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return saved_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  ports::OrderRepository& real_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool saved_ = false;
  bool released_ = false;
};

TEST_F(PipelineTest, CrashBetweenSaveAndAckCreatesNoDuplicate) {
  domain::Sale sale = OpenSale("crash-ack", 1'000, 1'000);
  ASSERT_TRUE(manage_.Create(sale).ok());
  core::PlacePurchase place(store_, ids_, clock_, metrics_);
  auto accepted = Purchase(place, sale.id.str(), 1'000, 1'000);
  ASSERT_EQ(accepted.size(), 1'000U);

  HangAfterSave dying(orders_);
  auto first_options = Workers(1, 100);
  first_options.consumer_prefix = "doomed";
  core::PersistOrders doomed(queue_, dying, store_, metrics_, first_options);
  doomed.Start();
  dying.WaitSaved();  // 100 orders_ are in MariaDB, not acknowledged

  auto options = Workers(2, 100);
  options.reclaim_idle = milliseconds(300);
  options.reclaim_interval = milliseconds(100);
  core::PersistOrders survivor(queue_, orders_, store_, metrics_, options);
  survivor.Start();
  ASSERT_TRUE(WaitFor(
      [&] {
        return survivor.stats().reclaimed >= 100 &&
               redis_.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'") == "0";
      },
      seconds(60)));
  EXPECT_TRUE(survivor.Stop(std::chrono::steady_clock::now() + seconds(30)));
  dying.Release();
  doomed.Stop(std::chrono::steady_clock::now());

  EXPECT_EQ(StoredOrderIds(), accepted);
  EXPECT_EQ(mariadb_.Sql("SELECT COUNT(*) FROM flashsale.orders"), "1000");
  EXPECT_EQ(*orders_.CountSold(sale.id, sale.items[0].id), 1'000);
}

TEST_F(PipelineTest, MariaDbKilledMidRunLosesNothing) {
  domain::Sale sale = OpenSale("db-crash", 6'000, 10);
  ASSERT_TRUE(manage_.Create(sale).ok());
  core::PersistOrders persist(queue_, orders_, store_, metrics_, Workers(4, 100));
  persist.Start();
  core::PlacePurchase place(store_, ids_, clock_, metrics_);

  std::promise<std::set<std::string>> buying;
  auto bought = buying.get_future();
  std::thread buyers([&] { buying.set_value(Purchase(place, sale.id.str(), 12'000, 1'200, 4)); });
  ASSERT_TRUE(WaitFor([&] { return persist.stats().persisted >= 1'000; }, seconds(60)));
  mariadb_.Kill();
  const auto persisted_at_kill = persist.stats().persisted;
  std::this_thread::sleep_for(seconds(3));  // several seconds of outage, purchases go on
  EXPECT_GT(persist.stats().retries, 0U) << "workers should be backing off";
  EXPECT_EQ(persist.stats().persisted, persisted_at_kill) << "nothing acknowledged while down";
  EXPECT_GT(Number(redis_.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'")), 0);
  mariadb_.Start();
  auto accepted = bought.get();
  buyers.join();
  ASSERT_EQ(accepted.size(), 6'000U);
  ASSERT_TRUE(persist.Stop(std::chrono::steady_clock::now() + seconds(120)));

  auto stored = StoredOrderIds();
  std::vector<std::string> missing;
  for (const auto& id : accepted) {
    if (!stored.contains(id)) missing.push_back(id);
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " accepted orders_ missing; first "
                               << (missing.empty() ? "" : missing.front())
                               << "; stats persisted=" << persist.stats().persisted
                               << " failed=" << persist.stats().failed
                               << " retries=" << persist.stats().retries << " dead="
                               << redis_.Cli("XLEN '" + redis::Keys::Dead(sale.id) + "'")
                               << " xlen="
                               << redis_.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'");
  EXPECT_EQ(mariadb_.Sql("SELECT COUNT(*) FROM flashsale.orders"), "6000");
  EXPECT_EQ(*orders_.CountSold(sale.id, sale.items[0].id), 6'000);
  EXPECT_EQ(redis_.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "0");
}

std::string Describe(const core::AuditReport& report) {
  std::ostringstream out;
  for (const auto& row : report.items) {
    out << row.item.str() << ": initial " << row.initial << " remaining " << row.remaining
        << " held " << row.held << " pending " << row.pending << " persisted " << row.persisted
        << " failed " << row.failed_returned << "\n";
  }
  for (const auto& d : report.differences) out << d << "\n";
  return out.str();
}

TEST_F(PipelineTest, AuditIsExactEveryTimeWhileTheSaleIsUnderLoad) {
  domain::Sale sale = OpenSale("audit-load", 8'000, 10);
  ASSERT_TRUE(manage_.Create(sale).ok());
  core::SaleCatalog catalog(sales_, clock_, std::chrono::hours(1));
  core::AuditSale audit(catalog, store_, orders_);
  // Three units held by checkouts for the whole run.
  core::CheckoutItem checkout(store_, ids_, clock_, metrics_);
  for (int i = 0; i < 3; ++i) {
    std::promise<domain::CheckoutReply> held;
    checkout.Execute({sale.id.str(), "item-1", "holder-" + std::to_string(i), ""},
                     [&](domain::CheckoutReply r) { held.set_value(std::move(r)); });
    ASSERT_EQ(held.get_future().get().outcome, Outcome::kAccepted);
  }

  core::PersistOrders persist(queue_, orders_, store_, metrics_, Workers(2, 50));
  persist.Start();
  core::PlacePurchase place(store_, ids_, clock_, metrics_);
  std::atomic<bool> done{false};
  std::thread buyers([&] {
    Purchase(place, sale.id.str(), 20'000, 2'000, 4);
    done = true;
  });
  int audits = 0;
  int mid_flight = 0;  // audits that saw orders both pending and persisted
  while (!done.load() || persist.stats().persisted < 7'997) {
    auto report = audit.Execute(sale.id.str());
    ASSERT_TRUE(report.ok()) << report.error().detail;
    ++audits;
    EXPECT_TRUE(report->consistent) << "audit " << audits << "\n" << Describe(*report);
    if (!report->consistent) break;
    if (report->items[0].pending > 0 && report->items[0].persisted > 0) ++mid_flight;
  }
  buyers.join();
  ASSERT_TRUE(persist.Stop(std::chrono::steady_clock::now() + seconds(60)));

  auto last = audit.Execute(sale.id.str());
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->consistent) << Describe(*last);
  EXPECT_EQ(last->items[0].initial, 8'000);
  EXPECT_EQ(last->items[0].remaining, 0);
  EXPECT_EQ(last->items[0].held, 3);
  EXPECT_EQ(last->items[0].pending, 0);
  EXPECT_EQ(last->items[0].persisted, 7'997);
  EXPECT_EQ(last->dead_letters, 0);
  EXPECT_LE(last->max_units_per_user, 10);
  EXPECT_GT(mid_flight, 0) << audits << " audits, none caught orders in flight";
  std::cout << "[ audit    ] " << audits << " audits under load, " << mid_flight
            << " with orders both pending and persisted, all consistent\n";
}

TEST_F(PipelineTest, GuardRefusalIsReleasedInRedisAndDeadLettered) {
  // MySQL says 5 units, Redis (on purpose) 8.
  domain::Sale sale = OpenSale("guard", 5, 10);
  ASSERT_TRUE(sales_.Create(sale).ok());
  domain::Sale bigger = sale;
  bigger.items[0].stock = 8;
  ASSERT_TRUE(store_.Load(bigger).ok());
  queue_.Watch(sale.id);

  std::map<std::string, std::string> user_of;  // order id -> user
  for (int i = 0; i < 8; ++i) {
    std::string user = "g" + std::to_string(i);
    auto reply = ReserveSync(store_, domain::Reservation{MakeRequest("guard", "item-1", user, "r"),
                                                         ids_.Next(), clock_.Now()});
    ASSERT_EQ(reply.outcome, Outcome::kAccepted);
    user_of[reply.order_id->str()] = user;
  }
  core::PersistOrders persist(queue_, orders_, store_, metrics_, Workers(1));
  persist.Start();
  ASSERT_TRUE(WaitFor([&] { return persist.stats().persisted + persist.stats().failed == 8; },
                      seconds(30)));
  ASSERT_TRUE(persist.Stop(std::chrono::steady_clock::now() + seconds(10)));

  EXPECT_EQ(persist.stats().persisted, 5U);
  EXPECT_EQ(persist.stats().failed, 3U);
  EXPECT_EQ(*orders_.CountSold(sale.id, sale.items[0].id), 5);
  EXPECT_EQ(store_.Snapshot(sale.id)->items[0].remaining, 3);  // units back in Redis
  EXPECT_EQ(store_.Snapshot(sale.id)->released_orders, 3);
  EXPECT_EQ(redis_.Cli("XLEN '" + redis::Keys::Dead(sale.id) + "'"), "3");
  auto failed = StoredOrderIds("failed");
  ASSERT_EQ(failed.size(), 3U);
  core::GetOrder get(orders_, store_);
  for (const auto& id : failed) {
    const std::string& user = user_of.at(id);
    EXPECT_EQ(*store_.UnitsHeld(sale.id, MakeId<domain::UserId>(user)), 0) << user;
    EXPECT_EQ(get.Execute(id, "guard")->status, domain::OrderStatus::kFailed);
    auto replay = ReserveSync(store_, domain::Reservation{MakeRequest("guard", "item-1", user, "r"),
                                                          ids_.Next(), clock_.Now()});
    EXPECT_EQ(replay.outcome, Outcome::kSoldOut);
    EXPECT_TRUE(replay.order_failed);
    EXPECT_EQ(replay.order_id->str(), id);
  }
  EXPECT_EQ(StoredOrderIds().size(), 5U);

  // The audit sees the disagreement: MariaDB's 5 units are not Redis's 8.
  core::SaleCatalog catalog(sales_, clock_, std::chrono::hours(1));
  auto report = core::AuditSale(catalog, store_, orders_).Execute("guard");
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->consistent);
  EXPECT_EQ(report->items[0].initial, 5);
  EXPECT_EQ(report->items[0].remaining, 3);
  EXPECT_EQ(report->items[0].persisted, 5);
  EXPECT_EQ(report->items[0].failed_returned, 3);
  EXPECT_EQ(report->dead_letters, 3);
  ASSERT_EQ(report->differences.size(), 1U);
  EXPECT_NE(report->differences[0].find("(+3)"), std::string::npos) << report->differences[0];
}

}  // namespace
}  // namespace flashsale::testing
