// The two-step use cases and the sale lifecycle, on the memory adapters with a manual clock.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "builders.hpp"
#include "flashsale/core/checkout_item.hpp"
#include "flashsale/core/complete_checkout.hpp"
#include "flashsale/core/expire_holds.hpp"
#include "flashsale/core/get_sale_status.hpp"
#include "flashsale/core/place_purchase.hpp"
#include "flashsale/core/run_sale_schedule.hpp"
#include "flashsale/core/sale_catalog.hpp"
#include "flashsale/memory/manual_clock.hpp"
#include "flashsale/memory/memory_order_queue.hpp"
#include "flashsale/memory/memory_sale_repository.hpp"
#include "flashsale/memory/memory_stock_store.hpp"
#include "mock_ports.hpp"

namespace flashsale::core {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;
using testing::MakeId;
using testing::MakeSale;

class CheckoutTest : public ::testing::Test {
 protected:
  CheckoutTest() {
    sale_ = MakeSale("sale-1", 3, 2, clock_.Now(), clock_.Now() + std::chrono::hours(1));
    EXPECT_TRUE(manage_.Create(sale_).ok());
    EXPECT_TRUE(catalog_.Refresh().ok());
  }

  domain::CheckoutReply Checkout(domain::CheckoutInput input) {
    std::optional<domain::CheckoutReply> got;
    checkout_.Execute(input, [&](domain::CheckoutReply r) { got = std::move(r); });
    EXPECT_TRUE(got.has_value());
    return got.value_or(domain::CheckoutReply{});
  }
  domain::CompleteReply Complete(domain::CompleteInput input) {
    std::optional<domain::CompleteReply> got;
    complete_.Execute(input, [&](domain::CompleteReply r) { got = std::move(r); });
    EXPECT_TRUE(got.has_value());
    return got.value_or(domain::CompleteReply{});
  }
  std::size_t QueueDepth() { return *queue_.Depth(); }

  memory::ManualClock clock_;
  testing::SequentialIds ids_;
  ports::NullMetrics metrics_;
  ports::NullLogger log_;
  memory::MemoryOrderQueue queue_;
  memory::MemoryStockStore store_{queue_, clock_};
  memory::MemorySaleRepository sales_;
  ManageSales manage_{sales_, store_, clock_};
  SaleCatalog catalog_{sales_, clock_, std::chrono::hours(1)};
  CheckoutItem checkout_{store_, ids_, clock_, metrics_, CheckoutOptions{std::chrono::seconds(30)}};
  CompleteCheckout complete_{store_, ids_, clock_, metrics_};
  domain::Sale sale_ = MakeSale("x", 1, 1, clock_.Now(), clock_.Now() + std::chrono::hours(1));
};

TEST_F(CheckoutTest, BadInputIsRefusedAndWritesNothing) {
  for (const domain::CheckoutInput& bad :
       {domain::CheckoutInput{"sale-1", "item-1", "", ""},
        domain::CheckoutInput{"sale-1", "", "alice", ""},
        domain::CheckoutInput{"", "item-1", "alice", ""},
        domain::CheckoutInput{"sale-1", "item-1", "al ice", ""},
        domain::CheckoutInput{"sale-1", "item-1", "alice", std::string(65, 'r')}}) {
    auto reply = Checkout(bad);
    EXPECT_EQ(reply.outcome, Outcome::kInvalidRequest);
    EXPECT_FALSE(reply.detail.empty());
  }
  EXPECT_EQ(QueueDepth(), 0U);  // not even an attempt
  EXPECT_EQ(store_.Snapshot(sale_.id)->items[0].remaining, 3);
  for (const domain::CompleteInput& bad :
       {domain::CompleteInput{"", ""}, domain::CompleteInput{"CHK_nope", ""},
        domain::CompleteInput{"CHK_0000000000000000000000000I_sale-1", ""},  // I: not base32
        domain::CompleteInput{"CHK_00000000000000000000000001_", ""},
        domain::CompleteInput{"CHK_00000000000000000000000001_sale-1", "bad id!"}}) {
    EXPECT_EQ(Complete(bad).outcome, Outcome::kInvalidRequest) << bad.code;
  }
}

TEST_F(CheckoutTest, CheckoutThenCompleteMakesOneOrderAndRecordsTheAttempt) {
  auto hold = Checkout({"sale-1", "item-1", "alice", ""});
  ASSERT_EQ(hold.outcome, Outcome::kAccepted);
  ASSERT_TRUE(hold.code.has_value());
  EXPECT_TRUE(hold.code->str().starts_with("CHK_"));
  EXPECT_EQ(hold.expires_at, clock_.Now() + std::chrono::seconds(30));
  clock_.Advance(milliseconds(29'999));
  auto done = Complete({hold.code->str(), ""});
  ASSERT_EQ(done.outcome, Outcome::kAccepted) << done.detail;
  EXPECT_EQ(done.order->user.str(), "alice");
  EXPECT_EQ(Complete({hold.code->str(), ""}).outcome, Outcome::kCheckoutUsed);
  EXPECT_EQ(QueueDepth(), 2U);  // the attempt and the order
}

TEST_F(CheckoutTest, ReservedRequestIdsAreRefusedForOneStepPurchases) {
  PlacePurchase purchase(store_, ids_, clock_, metrics_);
  std::optional<domain::PurchaseReply> got;
  purchase.Execute({"sale-1", "item-1", "alice", "CHK_00000000000000000000000001", 1},
                   [&](domain::PurchaseReply r) { got = std::move(r); });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->outcome, Outcome::kInvalidRequest);
  EXPECT_NE(got->detail.find("CHK_"), std::string::npos);
}

TEST_F(CheckoutTest, DrainingRefusesEverythingAndWritesNothing) {
  checkout_.SetAccepting(false);
  complete_.SetAccepting(false);
  EXPECT_EQ(Checkout({"sale-1", "item-1", "alice", ""}).outcome, Outcome::kUnavailable);
  EXPECT_EQ(Complete({"CHK_00000000000000000000000001_sale-1", ""}).outcome, Outcome::kUnavailable);
  EXPECT_EQ(QueueDepth(), 0U);
}

TEST_F(CheckoutTest, TheSweepReturnsExpiredUnitsAndRetiresEndedSales) {
  ExpireHolds sweep(store_, clock_, metrics_, log_,
                    ExpireHoldsOptions{2, 3, std::chrono::milliseconds(1)});
  for (const char* user : {"a", "b", "c"}) {
    ASSERT_EQ(Checkout({"sale-1", "item-1", user, ""}).outcome, Outcome::kAccepted);
  }
  EXPECT_EQ(sweep.RunOnce(), 0U);
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_EQ(sweep.RunOnce(), 3U);  // two calls of 2: bounded, but the pass finishes the job
  EXPECT_EQ(store_.Snapshot(sale_.id)->items[0].remaining, 3);
  EXPECT_EQ(sweep.RunOnce(), 0U);
  // Over, no holds, but the attempts are still queued: not retired yet.
  clock_.Advance(std::chrono::hours(1));
  sweep.RunOnce();
  EXPECT_TRUE(store_.Snapshot(sale_.id).ok());
  // Persisted (the queue drained): retired, gone after the retention.
  auto all = queue_.Pull("w", 100, milliseconds(0));
  std::vector<std::string> receipts;
  for (const auto& e : *all) receipts.push_back(e.receipt);
  ASSERT_TRUE(queue_.Ack(receipts).ok());
  sweep.RunOnce();
  EXPECT_TRUE(store_.LiveSales()->empty());
  clock_.Advance(milliseconds(5));
  EXPECT_EQ(store_.Snapshot(sale_.id).error().outcome, Outcome::kNotFound);
}

TEST_F(CheckoutTest, SaleStatusCountsRemainingHeldAndSold) {
  GetSaleStatus status(catalog_, store_, clock_);
  ASSERT_EQ(Checkout({"sale-1", "item-1", "alice", ""}).outcome, Outcome::kAccepted);
  auto hold = Checkout({"sale-1", "item-1", "bob", ""});
  ASSERT_TRUE(Complete({hold.code->str(), ""}).outcome == Outcome::kAccepted);
  auto now = status.Execute("");
  ASSERT_TRUE(now.ok()) << now.error().detail;
  EXPECT_EQ(now->sale.id, sale_.id);
  EXPECT_TRUE(now->active);
  EXPECT_EQ(now->remaining, 1);
  EXPECT_EQ(now->held, 1);
  EXPECT_EQ(now->sold, 1);
  ASSERT_EQ(now->items.size(), 1U);
  EXPECT_EQ(now->items[0].stock, 3);
  EXPECT_EQ(status.Execute("sale-1")->sold, 1);
  EXPECT_EQ(status.Execute("no-such-sale").error().outcome, Outcome::kNotFound);
  EXPECT_EQ(status.Execute("bad id").error().outcome, Outcome::kInvalidRequest);
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(status.Execute("").error().outcome, Outcome::kNotFound);  // none open now
}

TEST(SaleScheduleTest, WindowsAreAlignedAndNamedByTheirStart) {
  memory::ManualClock clock(domain::FromUnixMillis(1'795'000'123'456));  // 2026-11-18T11:08Z
  memory::MemorySaleRepository sales;
  memory::MemoryOrderQueue queue;
  memory::MemoryStockStore store(queue, clock);
  ManageSales manage(sales, store, clock);
  RunSaleSchedule schedule(manage, clock, ScheduleOptions{});
  const domain::Sale sale = schedule.WindowSale(schedule.WindowStart(clock.Now()));
  EXPECT_EQ(domain::ToUnixMillis(sale.starts_at) % 3'600'000, 0);
  EXPECT_EQ(sale.ends_at - sale.starts_at, std::chrono::hours(1));
  EXPECT_EQ(sale.id.str(), "hourly-20261118T110000Z");
  EXPECT_EQ(sale.items[0].stock, 10'000);
  EXPECT_EQ(sale.per_user_limit, 10);
  EXPECT_EQ(*schedule.RunOnce(), 1U);
  EXPECT_EQ(*schedule.RunOnce(), 0U);                  // idempotent
  clock.Set(sale.ends_at - std::chrono::seconds(30));  // within the lead: the next one too
  EXPECT_EQ(*schedule.RunOnce(), 1U);
  EXPECT_EQ(sales.List()->size(), 2U);
  EXPECT_TRUE(store.Snapshot(*domain::SaleId::Parse("hourly-20261118T120000Z")).ok());
}

TEST(SaleScheduleTest, ConcurrentSchedulersCreateEachWindowOnce) {
  memory::ManualClock clock(domain::FromUnixMillis(1'795'000'000'000));
  memory::MemorySaleRepository sales;
  memory::MemoryOrderQueue queue;
  memory::MemoryStockStore store(queue, clock);
  std::atomic<std::size_t> created{0};
  std::vector<std::thread> instances;
  for (int i = 0; i < 3; ++i) {
    instances.emplace_back([&] {
      ManageSales manage(sales, store, clock);
      RunSaleSchedule schedule(manage, clock, ScheduleOptions{std::chrono::seconds(2)});
      for (int tick = 0; tick < 50; ++tick) {
        created += *schedule.RunOnce();
        clock.Advance(milliseconds(10));
      }
    });
  }
  for (auto& t : instances) t.join();
  auto list = sales.List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(created.load(), list->size());
  EXPECT_GE(list->size(), 1U);
  std::set<std::string> ids;
  for (const auto& s : *list) EXPECT_TRUE(ids.insert(s.id.str()).second);
}

TEST(SaleCatalogTest, OpenAtPicksTheLatestStartedOpenSale) {
  memory::ManualClock clock;
  memory::MemorySaleRepository sales;
  const auto t = clock.Now();
  ASSERT_TRUE(
      sales.Create(MakeSale("old", 1, 1, t - std::chrono::hours(2), t + std::chrono::hours(1)))
          .ok());
  ASSERT_TRUE(
      sales.Create(MakeSale("new", 1, 1, t - std::chrono::hours(1), t + std::chrono::hours(1)))
          .ok());
  ASSERT_TRUE(
      sales.Create(MakeSale("later", 1, 1, t + std::chrono::hours(1), t + std::chrono::hours(2)))
          .ok());
  ASSERT_TRUE(
      sales.Create(MakeSale("gone", 1, 1, t - std::chrono::hours(9), t - std::chrono::hours(8)))
          .ok());
  SaleCatalog catalog(sales, clock, std::chrono::hours(1));
  EXPECT_FALSE(catalog.OpenAt(t).has_value());  // nothing cached before the first refresh
  ASSERT_TRUE(catalog.Refresh().ok());
  EXPECT_EQ(catalog.OpenAt(t)->id.str(), "new");
  EXPECT_EQ(catalog.Recent().size(), 3U);  // "gone" ended more than the horizon ago
  EXPECT_TRUE(catalog.Find(MakeId<domain::SaleId>("gone"))->has_value());  // from the repository
  EXPECT_FALSE(catalog.OpenAt(t + std::chrono::hours(5)).has_value());
  // The default sale: the preferred one while it is open, else the latest-started open one.
  const auto old_id = MakeId<domain::SaleId>("old");
  EXPECT_EQ(catalog.DefaultAt(t, old_id)->str(), "old");
  EXPECT_EQ(catalog.DefaultAt(t, std::nullopt)->str(), "new");
  EXPECT_EQ(catalog.DefaultAt(t, MakeId<domain::SaleId>("later"))->str(), "new");  // not yet
  EXPECT_EQ(catalog.DefaultAt(t + std::chrono::minutes(90), old_id)->str(), "later");
  EXPECT_FALSE(catalog.DefaultAt(t + std::chrono::hours(5), old_id).has_value());
}

}  // namespace
}  // namespace flashsale::core
