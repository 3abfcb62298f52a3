#include "flashsale/core/audit_sale.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <semaphore>
#include <thread>

#include "builders.hpp"
#include "flashsale/core/manage_sales.hpp"
#include "flashsale/core/persist_orders.hpp"
#include "flashsale/core/place_purchase.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/core/ulid_generator.hpp"
#include "flashsale/memory/memory_order_queue.hpp"
#include "flashsale/memory/memory_order_repository.hpp"
#include "flashsale/memory/memory_sale_repository.hpp"
#include "flashsale/memory/memory_stock_store.hpp"
#include "mock_ports.hpp"

namespace flashsale::core {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;
using ::testing::_;
using testing::MakeId;
using ::testing::NiceMock;
using ::testing::Return;

class AuditSaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto now = clock_.Now();
    ASSERT_TRUE(sales_
                    .Create(testing::MakeSale("audited", 10, 3, now - std::chrono::minutes(1),
                                              now + std::chrono::hours(1)))
                    .ok());
  }

  static ports::ItemAudit Recorded(std::int64_t stock, std::int64_t sold, std::int64_t confirmed) {
    return ports::ItemAudit{MakeId<domain::ItemId>("item-1"), stock, sold, confirmed, 0, 0};
  }
  static ports::QueuedOrderRef Queued(const char* id, std::int64_t units) {
    return ports::QueuedOrderRef{MakeId<domain::OrderId>(id), MakeId<domain::ItemId>("item-1"),
                                 MakeId<domain::UserId>("u"), units};
  }
  static ports::StoreAudit Stored(std::int64_t remaining, std::int64_t held,
                                  std::vector<ports::QueuedOrderRef> queued) {
    ports::StoreAudit audit;
    audit.items.push_back(ports::ItemStock{MakeId<domain::ItemId>("item-1"), remaining, held});
    audit.queued = std::move(queued);
    audit.position = domain::QueuePosition{5, 0};
    return audit;
  }

  SystemClock clock_;
  memory::MemorySaleRepository sales_;
  SaleCatalog catalog_{sales_, clock_, std::chrono::hours(1)};
  NiceMock<testing::MockStockStore> store_;
  NiceMock<testing::MockOrderRepository> orders_;
  AuditSale audit_{catalog_, store_, orders_};
};

TEST_F(AuditSaleTest, AnOrderBetweenCommitAndAckCountsOnceAsPersisted) {
  // A (2 units) is committed but not yet acknowledged: in the queue and confirmed. B (1 unit)
  // is only queued.
  EXPECT_CALL(store_, Audit(_)).WillOnce(Return(Stored(6, 1, {Queued("A", 2), Queued("B", 1)})));
  ports::SaleAudit recorded;
  recorded.items.push_back(Recorded(10, 2, 2));
  recorded.confirmed_order_ids = {"A"};
  EXPECT_CALL(orders_, Audit(_, std::optional(domain::QueuePosition{5, 0})))
      .WillOnce(Return(recorded));
  auto report = audit_.Execute("audited");
  ASSERT_TRUE(report.ok()) << report.error().detail;
  ASSERT_EQ(report->items.size(), 1U);
  EXPECT_EQ(report->items[0].initial, 10);
  EXPECT_EQ(report->items[0].remaining, 6);
  EXPECT_EQ(report->items[0].held, 1);
  EXPECT_EQ(report->items[0].pending, 1);
  EXPECT_EQ(report->items[0].persisted, 2);
  EXPECT_TRUE(report->consistent);
  EXPECT_TRUE(report->differences.empty());
}

TEST_F(AuditSaleTest, EveryDisagreementIsNamed) {
  ports::StoreAudit stored = Stored(5, 0, {Queued("B", 1)});
  stored.max_user_units = 4;  // above the limit of 3
  EXPECT_CALL(store_, Audit(_)).WillOnce(Return(stored));
  ports::SaleAudit recorded;
  recorded.items.push_back(Recorded(10, 5, 3));  // 5 + 1 + 3 = 9 != 10; sold 5 != 3
  EXPECT_CALL(orders_, Audit(_, _)).WillOnce(Return(recorded));
  auto report = audit_.Execute("audited");
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->consistent);
  ASSERT_EQ(report->differences.size(), 3U);
  EXPECT_EQ(report->differences[0],
            "item-1: initial 10 != remaining 5 + held 0 + pending 1 + persisted 3 = 9 (-1)");
  EXPECT_EQ(report->differences[1], "item-1: sold counter 5 != confirmed units 3");
  EXPECT_EQ(report->differences[2], "a user holds 4 units, above the limit of 3");
}

TEST_F(AuditSaleTest, LaterOrdersCountInTheSoldCounterOnly) {
  EXPECT_CALL(store_, Audit(_)).WillOnce(Return(Stored(7, 0, {})));
  ports::SaleAudit recorded;
  recorded.items.push_back(Recorded(10, 4, 3));
  recorded.items[0].later_units = 1;  // accepted after the store's read, already persisted
  EXPECT_CALL(orders_, Audit(_, _)).WillOnce(Return(recorded));
  auto report = audit_.Execute("audited");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->consistent);
}

TEST_F(AuditSaleTest, BadIdUnknownSaleAndUnreachableBackends) {
  EXPECT_CALL(store_, Audit(_)).Times(0);
  EXPECT_EQ(audit_.Execute("bad id!").error().outcome, Outcome::kInvalidRequest);
  EXPECT_EQ(audit_.Execute("").error().outcome, Outcome::kInvalidRequest);
  EXPECT_EQ(audit_.Execute("nobody").error().outcome, Outcome::kNotFound);
  ::testing::Mock::VerifyAndClearExpectations(&store_);

  EXPECT_CALL(store_, Audit(_))
      .WillOnce(Return(domain::Error{Outcome::kUnavailable, "redis down"}))
      .WillOnce(Return(domain::Error{Outcome::kNotFound, "unknown sale"}))
      .WillOnce(Return(Stored(10, 0, {})));
  EXPECT_CALL(orders_, Audit(_, _))
      .WillOnce(Return(domain::Error{Outcome::kUnavailable, "mysql down"}));
  EXPECT_EQ(audit_.Execute("audited").error().outcome, Outcome::kUnavailable);
  EXPECT_EQ(audit_.Execute("audited").error().outcome, Outcome::kNotFound);
  auto down = audit_.Execute("audited");
  EXPECT_EQ(down.error().outcome, Outcome::kUnavailable);
  EXPECT_EQ(down.error().detail, "mysql down");
}

/// The embedded default: memory store against memory repository, audited while 4 threads
/// buy and 2 workers persist.
TEST(AuditSaleMemoryTest, ExactEveryTimeWhileTheSaleIsUnderLoad) {
  SystemClock clock;
  ports::NullMetrics metrics;
  memory::MemorySaleRepository sales;
  memory::MemoryOrderRepository orders{sales};
  memory::MemoryOrderQueue queue;
  memory::MemoryStockStore store{queue, clock};
  const auto now = clock.Now();
  const domain::Sale sale = testing::MakeSale(
      "memory-load", 5'000, 10, now - std::chrono::minutes(1), now + std::chrono::hours(1));
  ManageSales manage(sales, store, clock);
  ASSERT_TRUE(manage.Create(sale).ok());
  SaleCatalog catalog(sales, clock, std::chrono::hours(1));
  AuditSale audit(catalog, store, orders);

  PersistOptions options;
  options.workers = 2;
  options.batch_size = 25;
  PersistOrders persist(queue, orders, store, metrics, options);
  persist.Start();
  UlidGenerator ids(clock);
  PlacePurchase place(store, ids, clock, metrics);
  std::atomic<int> answered{0};
  std::vector<std::jthread> buyers;  // joined on an early ASSERT return too
  for (int t = 0; t < 4; ++t) {
    buyers.emplace_back([&, t] {
      for (int i = t; i < 12'000; i += 4) {
        std::binary_semaphore done(0);
        place.Execute({"memory-load", "item-1", "u" + std::to_string(i % 1'000),
                       "r" + std::to_string(i), 1, false},
                      [&](domain::PurchaseReply) {
                        ++answered;
                        done.release();
                      });
        done.acquire();
      }
    });
  }
  int audits = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (answered.load() < 12'000 || persist.stats().persisted < 5'000) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "stalled: " << answered.load() << " answered, " << persist.stats().persisted
        << " persisted";
    auto report = audit.Execute("memory-load");
    ASSERT_TRUE(report.ok()) << report.error().detail;
    ++audits;
    ASSERT_TRUE(report->consistent) << "audit " << audits << ": " << report->differences.at(0);
  }
  for (auto& b : buyers) b.join();
  ASSERT_TRUE(persist.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(30)));
  auto last = audit.Execute("memory-load");
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->consistent);
  EXPECT_EQ(last->items[0].persisted, 5'000);
  EXPECT_EQ(last->items[0].remaining, 0);
  EXPECT_EQ(last->items[0].pending, 0);
  EXPECT_GT(audits, 1);
}

}  // namespace
}  // namespace flashsale::core
