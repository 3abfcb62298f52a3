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
#include "order_queue_contract.hpp"
#include "repository_contract.hpp"

namespace flashsale::memory {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;
using testing::MakeId;
using testing::MakeOrder;

/// The embedded repositories, for the repository contract suites.
class MemoryRepositories final : public testing::RepositoryHarness {
 public:
  ports::SaleRepository& sales() override { return sales_; }
  ports::OrderRepository& orders() override { return orders_; }

 private:
  MemorySaleRepository sales_;
  MemoryOrderRepository orders_{sales_};
};

/// The embedded store and queue, for the OrderQueue contract suite.
class MemoryQueueHarness final : public testing::StockStoreHarness {
 public:
  ports::StockStore& store() override { return store_; }
  ports::OrderQueue& queue() override { return queue_; }

 private:
  ManualClock clock_{domain::FromUnixMillis(1'800'000'000'000)};
  MemoryOrderQueue queue_;
  MemoryStockStore store_{queue_, clock_};
};

TEST(MemoryOrderQueueTest, FullQueueRefusesMoreOrders) {
  MemoryOrderQueue queue(MemoryQueueOptions{2});
  EXPECT_TRUE(queue.TryPush(MakeOrder("A")));
  EXPECT_TRUE(queue.TryPush(MakeOrder("B")));
  EXPECT_FALSE(queue.TryPush(MakeOrder("C")));
  auto pulled = queue.Pull("w", 10, milliseconds(0));
  ASSERT_EQ(pulled->size(), 2U);
  EXPECT_FALSE(queue.TryPush(MakeOrder("C")));  // delivered but not acknowledged still counts
  ASSERT_TRUE(queue.Ack({pulled->at(0).receipt, "1x", "-1", ""}).ok());
  EXPECT_EQ(*queue.Depth(), 1U);  // only the exact receipt acknowledged one
  EXPECT_TRUE(queue.TryPush(MakeOrder("C")));
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

TEST_F(MemoryOrderRepositoryTest, OutageIsUnavailableAndWritesNothing) {
  orders_.SetFailing(true);
  std::vector<domain::Order> batch{MakeOrder("A")};
  auto results = orders_.SaveBatch(batch);
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.error().outcome, Outcome::kUnavailable);
  orders_.SetFailing(false);
  EXPECT_FALSE(orders_.Find(batch[0].id)->has_value());
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
  std::vector<domain::Order> batch{*pulled->at(0).order};
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

namespace flashsale::testing {
const RepositoryFactory kMemoryRepositories{
    "memory", [] { return std::make_unique<memory::MemoryRepositories>(); }};
INSTANTIATE_TEST_SUITE_P(Memory, SaleRepositoryContract, ::testing::Values(kMemoryRepositories));
INSTANTIATE_TEST_SUITE_P(Memory, OrderRepositoryContract, ::testing::Values(kMemoryRepositories));
INSTANTIATE_TEST_SUITE_P(Memory, OrderQueueContract,
                         ::testing::Values(HarnessFactory{
                             "memory",
                             [] { return std::make_unique<memory::MemoryQueueHarness>(); }}));
}  // namespace flashsale::testing
