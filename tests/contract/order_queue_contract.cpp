#include "order_queue_contract.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "builders.hpp"
#include "reserve_sync.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;

constexpr std::int64_t kNowMs = 1'800'000'000'000;

}  // namespace

void OrderQueueContract::SetUp() { harness_ = GetParam().make(); }

void OrderQueueContract::Enqueue(const std::vector<std::string>& ids) {
  const auto now = domain::FromUnixMillis(kNowMs);
  if (!sale_) {
    sale_ = MakeSale("queue-contract", 1'000'000, 1'000, now - std::chrono::minutes(1),
                     now + std::chrono::minutes(1));
    ASSERT_TRUE(harness_->store().Load(*sale_).ok());
    harness_->Track(*sale_);
  }
  for (const auto& id : ids) {
    domain::Reservation r{MakeRequest(sale_->id.str(), "item-1", "u-" + id, "r", 1),
                          MakeId<domain::OrderId>(id), now};
    ASSERT_EQ(ReserveSync(harness_->store(), r).outcome, Outcome::kAccepted);
  }
}

std::vector<std::string> OrderQueueContract::Ids(
    const std::vector<ports::QueuedEntry>& orders) const {
  std::vector<std::string> ids;
  for (const auto& q : orders) ids.push_back(q.order->id.str());
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> OrderQueueContract::Receipts(
    const std::vector<ports::QueuedEntry>& orders) const {
  std::vector<std::string> receipts;
  for (const auto& q : orders) receipts.push_back(q.receipt);
  return receipts;
}

TEST_P(OrderQueueContract, EmptyQueuePullsNothingAndHasNoDepth) {
  auto pulled = harness_->queue().Pull("w1", 10, milliseconds(0));
  ASSERT_TRUE(pulled.ok());
  EXPECT_TRUE(pulled->empty());
  EXPECT_EQ(*harness_->queue().Depth(), 0U);
}

TEST_P(OrderQueueContract, DeliversEachOrderToOneConsumerOnly) {
  Enqueue({"A", "B", "C"});
  auto first = harness_->queue().Pull("w1", 2, milliseconds(0));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2U);
  auto second = harness_->queue().Pull("w2", 10, milliseconds(0));
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1U);
  std::vector<std::string> all = Ids(*first);
  all.push_back(second->at(0).order->id.str());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_TRUE(harness_->queue().Pull("w1", 10, milliseconds(0))->empty());
  EXPECT_EQ(*harness_->queue().Depth(), 3U);  // delivered but not acknowledged
}

TEST_P(OrderQueueContract, AckRemovesForGoodAndIsIdempotent) {
  Enqueue({"A", "B"});
  auto pulled = harness_->queue().Pull("w1", 10, milliseconds(0));
  ASSERT_EQ(pulled->size(), 2U);
  ASSERT_TRUE(harness_->queue().Ack({pulled->at(0).receipt}).ok());
  EXPECT_EQ(*harness_->queue().Depth(), 1U);
  // The same receipt again and receipts the queue never gave out are ignored.
  ASSERT_TRUE(harness_->queue()
                  .Ack({pulled->at(0).receipt, "junk", "no-such/0-1", pulled->at(1).receipt})
                  .ok());
  EXPECT_EQ(*harness_->queue().Depth(), 0U);
  EXPECT_TRUE(harness_->queue().Pull("w2", 10, milliseconds(0))->empty());
  EXPECT_TRUE(harness_->queue().ReclaimStale("w3", milliseconds(0), 10)->empty());
}

TEST_P(OrderQueueContract, StaleOrdersOfADeadConsumerAreReclaimedOnce) {
  Enqueue({"A", "B"});
  auto dead = harness_->queue().Pull("dead", 10, milliseconds(0));
  ASSERT_EQ(dead->size(), 2U);
  // Not idle long enough yet: nothing to take over.
  EXPECT_TRUE(harness_->queue().ReclaimStale("w2", milliseconds(60'000), 10)->empty());
  std::this_thread::sleep_for(milliseconds(300));
  auto one = harness_->queue().ReclaimStale("w2", milliseconds(200), 1);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1U);
  auto rest = harness_->queue().ReclaimStale("w3", milliseconds(200), 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1U);  // the first one now belongs to w2 and was just touched
  std::vector<std::string> ids{one->at(0).order->id.str(), rest->at(0).order->id.str()};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"A", "B"}));
  ASSERT_TRUE(harness_->queue().Ack({one->at(0).receipt, rest->at(0).receipt}).ok());
  EXPECT_EQ(*harness_->queue().Depth(), 0U);
}

TEST_P(OrderQueueContract, PullWaitsForTheFirstOrder) {
  Enqueue({"warm"});  // the sale exists and its stream is watched
  auto warm = harness_->queue().Pull("w1", 10, milliseconds(0));
  ASSERT_EQ(warm->size(), 1U);
  ASSERT_TRUE(harness_->queue().Ack(Receipts(*warm)).ok());
  auto pulled = std::async(std::launch::async,
                           [&] { return harness_->queue().Pull("w1", 10, milliseconds(3000)); });
  std::this_thread::sleep_for(milliseconds(100));
  Enqueue({"late"});
  auto got = pulled.get();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1U);
  EXPECT_EQ(got->at(0).order->id.str(), "late");
}

TEST_P(OrderQueueContract, OrdersArriveWithEveryField) {
  Enqueue({"FULL"});
  auto pulled = harness_->queue().Pull("w1", 10, milliseconds(0));
  ASSERT_EQ(pulled->size(), 1U);
  const domain::Order& o = *pulled->at(0).order;
  EXPECT_EQ(o.id.str(), "FULL");
  EXPECT_EQ(o.sale, sale_->id);
  EXPECT_EQ(o.item.str(), "item-1");
  EXPECT_EQ(o.user.str(), "u-FULL");
  EXPECT_EQ(o.request.str(), "r");
  EXPECT_EQ(o.quantity.value(), 1);
  EXPECT_EQ(o.unit_price_cents, 999);
  EXPECT_EQ(o.status, domain::OrderStatus::kPending);
  EXPECT_EQ(domain::ToUnixMillis(o.created_at), kNowMs);
  EXPECT_FALSE(pulled->at(0).receipt.empty());
}

// Each test binary instantiates the suites of the backends it links.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OrderQueueContract);

}  // namespace flashsale::testing
