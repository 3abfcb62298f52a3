#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "builders.hpp"
#include "flashsale/core/get_order.hpp"
#include "flashsale/memory/manual_clock.hpp"
#include "flashsale/memory/memory_order_queue.hpp"
#include "flashsale/memory/memory_order_repository.hpp"
#include "flashsale/memory/memory_sale_repository.hpp"
#include "flashsale/memory/memory_stock_store.hpp"

namespace flashsale::memory {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;
using testing::MakeId;
using testing::MakeOrder;

TEST(MemoryOrderQueueTest, DeliversOnceAcksAndReclaims) {
  MemoryOrderQueue queue;
  ASSERT_TRUE(queue.TryPush(MakeOrder("A")));
  ASSERT_TRUE(queue.TryPush(MakeOrder("B")));
  auto first = queue.Pull("w1", 1, milliseconds(0));
  ASSERT_EQ(first->size(), 1U);
  EXPECT_EQ(first->at(0).order.id.str(), "A");
  auto second = queue.Pull("w2", 10, milliseconds(0));
  ASSERT_EQ(second->size(), 1U);
  EXPECT_EQ(second->at(0).order.id.str(), "B");
  EXPECT_TRUE(queue.Pull("w1", 10, milliseconds(0))->empty());
  EXPECT_EQ(*queue.Depth(), 2U);

  // w1 dies: its order is pending, and taken over once idle long enough.
  EXPECT_TRUE(queue.ReclaimStale("w3", milliseconds(60'000), 10)->empty());
  std::this_thread::sleep_for(milliseconds(5));
  ASSERT_TRUE(queue.Ack({second->at(0).receipt}).ok());
  auto reclaimed = queue.ReclaimStale("w3", milliseconds(1), 10);
  ASSERT_EQ(reclaimed->size(), 1U);
  EXPECT_EQ(reclaimed->at(0).order.id.str(), "A");
  ASSERT_TRUE(queue.Ack({reclaimed->at(0).receipt, reclaimed->at(0).receipt, "junk"}).ok());
  EXPECT_EQ(*queue.Depth(), 0U);
}

TEST(MemoryOrderQueueTest, PullWaitsForTheFirstOrder) {
  MemoryOrderQueue queue;
  std::thread producer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    queue.TryPush(MakeOrder("late"));
  });
  auto got = queue.Pull("w", 10, milliseconds(5000));
  producer.join();
  ASSERT_EQ(got->size(), 1U);
  EXPECT_EQ(got->at(0).order.id.str(), "late");
}

class MemoryOrderRepositoryTest : public ::testing::Test {
 protected:
  MemoryOrderRepositoryTest() : orders_(sales_) {
    ManualClock clock;
    EXPECT_TRUE(sales_
                    .Create(testing::MakeSale("sale-1", 3, 10, clock.Now(),
                                              clock.Now() + std::chrono::hours(1)))
                    .ok());
  }
  MemorySaleRepository sales_;
  MemoryOrderRepository orders_;
};

TEST_F(MemoryOrderRepositoryTest, GuardRefusesBeyondStockOneByOne) {
  std::vector<domain::Order> batch{MakeOrder("A", "sale-1", "item-1", "u1", "", 2),
                                   MakeOrder("B", "sale-1", "item-1", "u2", "", 2),
                                   MakeOrder("C", "sale-1", "item-1", "u3", "", 1)};
  auto results = orders_.SaveBatch(batch);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 3U);
  EXPECT_TRUE((*results)[0].saved);
  EXPECT_FALSE((*results)[1].saved);
  EXPECT_EQ((*results)[1].reason, Outcome::kSoldOut);
  EXPECT_TRUE((*results)[2].saved);
  EXPECT_EQ(*orders_.CountSold(batch[0].sale, batch[0].item), 3);
  // Replaying the batch gives the same answers and changes nothing.
  auto again = orders_.SaveBatch(batch);
  EXPECT_TRUE((*again)[0].saved);
  EXPECT_FALSE((*again)[1].saved);
  EXPECT_EQ(*orders_.CountSold(batch[0].sale, batch[0].item), 3);
  EXPECT_EQ((*orders_.Find(batch[1].id))->status, domain::OrderStatus::kFailed);
  EXPECT_EQ((*orders_.Find(batch[0].id))->status, domain::OrderStatus::kConfirmed);

  auto audit = orders_.Audit(batch[0].sale);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->items.size(), 1U);
  EXPECT_EQ(audit->items[0].stock, 3);
  EXPECT_EQ(audit->items[0].sold, 3);
  EXPECT_EQ(audit->items[0].confirmed_units, 3);
  EXPECT_EQ(audit->items[0].failed_orders, 1);
  std::sort(audit->confirmed_order_ids.begin(), audit->confirmed_order_ids.end());
  EXPECT_EQ(audit->confirmed_order_ids, (std::vector<std::string>{"A", "C"}));
  EXPECT_EQ(audit->units_by_user, (std::map<std::string, std::int64_t>{{"u1", 2}, {"u3", 1}}));
  EXPECT_EQ(orders_.Audit(MakeId<domain::SaleId>("ghost")).error().outcome, Outcome::kNotFound);
}

TEST_F(MemoryOrderRepositoryTest, UnknownItemAndDuplicateRequestKeyAreRefused) {
  std::vector<domain::Order> batch{
      MakeOrder("A", "sale-1", "nope"), MakeOrder("B", "sale-1", "item-1", "u1", "same"),
      MakeOrder("C", "sale-1", "item-1", "u1", "same"), MakeOrder("D", "ghost-sale")};
  auto results = orders_.SaveBatch(batch);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].reason, Outcome::kUnknownItem);
  EXPECT_TRUE((*results)[1].saved);
  EXPECT_EQ((*results)[2].reason, Outcome::kDuplicateRequest);
  EXPECT_EQ((*results)[3].reason, Outcome::kUnknownItem);
}

TEST_F(MemoryOrderRepositoryTest, OutageIsUnavailableAndWritesNothing) {
  orders_.SetFailing(true);
  std::vector<domain::Order> batch{MakeOrder("A")};
  auto results = orders_.SaveBatch(batch);
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.error().outcome, Outcome::kUnavailable);
  orders_.SetFailing(false);
  EXPECT_FALSE(orders_.Find(batch[0].id)->has_value());
}

TEST(MemorySaleRepositoryTest, CreateFindListAndDuplicates) {
  MemorySaleRepository sales;
  auto t = domain::FromUnixMillis(1000);
  auto later = testing::MakeSale("b", 1, 1, t + std::chrono::hours(1), t + std::chrono::hours(2));
  ASSERT_TRUE(sales.Create(later).ok());
  ASSERT_TRUE(sales.Create(testing::MakeSale("a", 1, 1, t, t + std::chrono::hours(1))).ok());
  auto dup = sales.Create(later);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().outcome, Outcome::kDuplicateRequest);
  auto invalid = testing::MakeSale("c", -1, 1, t, t + std::chrono::hours(1));
  EXPECT_EQ(sales.Create(invalid).error().outcome, Outcome::kInvalidRequest);
  auto list = sales.List();
  ASSERT_EQ(list->size(), 2U);
  EXPECT_EQ((*list)[0].id.str(), "a");
  EXPECT_TRUE(sales.Find(MakeId<domain::SaleId>("b"))->has_value());
  EXPECT_FALSE(sales.Find(MakeId<domain::SaleId>("zzz"))->has_value());
}

TEST(GetOrderTest, RepositoryFirstThenStoreThenUnknown) {
  ManualClock clock;
  MemorySaleRepository sales;
  MemoryOrderRepository orders(sales);
  MemoryOrderQueue queue;
  MemoryStockStore store(queue, clock);
  auto sale = testing::MakeSale("sale-1", 5, 5, clock.Now(), clock.Now() + std::chrono::hours(1));
  ASSERT_TRUE(sales.Create(sale).ok());
  ASSERT_TRUE(store.Load(sale).ok());
  core::GetOrder get(orders, store);

  domain::Reservation r{testing::MakeRequest("sale-1", "item-1", "u", "r"),
                        MakeId<domain::OrderId>("P1"), clock.Now()};
  store.Reserve(r,
                [](domain::PurchaseReply reply) { ASSERT_EQ(reply.outcome, Outcome::kAccepted); });
  EXPECT_EQ(get.Execute("P1", "sale-1")->status, domain::OrderStatus::kPending);

  auto pulled = queue.Pull("w", 10, milliseconds(0));
  std::vector<domain::Order> batch{pulled->at(0).order};
  ASSERT_TRUE(orders.SaveBatch(batch).ok());
  auto confirmed = get.Execute("P1", "sale-1");
  EXPECT_EQ(confirmed->status, domain::OrderStatus::kConfirmed);
  ASSERT_TRUE(confirmed->order.has_value());
  EXPECT_EQ(confirmed->order->user.str(), "u");

  EXPECT_EQ(get.Execute("NOPE", "sale-1").error().outcome, Outcome::kNotFound);
  EXPECT_EQ(get.Execute("bad id!", "sale-1").error().outcome, Outcome::kInvalidRequest);
  orders.SetFailing(true);
  EXPECT_EQ(get.Execute("P1", "sale-1").error().outcome, Outcome::kUnavailable);
}

}  // namespace
}  // namespace flashsale::memory
