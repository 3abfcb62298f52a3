#include "flashsale/memory/memory_stock_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "builders.hpp"
#include "flashsale/core/place_purchase.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/core/ulid_generator.hpp"
#include "flashsale/memory/manual_clock.hpp"
#include "stock_store_contract.hpp"

namespace flashsale::memory {
namespace {

using domain::Outcome;
using testing::MakeId;

class MemoryHarness final : public testing::StockStoreHarness {
 public:
  ports::StockStore& store() override { return store_; }
  ports::OrderQueue& queue() override { return queue_; }

 private:
  core::SystemClock clock_;  // retention is real time, as with Redis's PEXPIRE
  MemoryOrderQueue queue_;
  MemoryStockStore store_{queue_, clock_};
};

}  // namespace
}  // namespace flashsale::memory

namespace flashsale::testing {
INSTANTIATE_TEST_SUITE_P(Memory, StockStoreContract,
                         ::testing::Values(HarnessFactory{
                             "memory", [] { return std::make_unique<memory::MemoryHarness>(); }}));
INSTANTIATE_TEST_SUITE_P(Memory, HoldsContract,
                         ::testing::Values(HarnessFactory{
                             "memory", [] { return std::make_unique<memory::MemoryHarness>(); }}));
}  // namespace flashsale::testing

namespace flashsale::memory {
namespace {

TEST(MemoryStockStoreTest, StoredAnswersExpireAfterTheTtl) {
  ManualClock clock;
  MemoryOrderQueue queue;
  MemoryStockStore store(queue, clock, MemoryStockOptions{std::chrono::minutes(10)});
  auto now = clock.Now();
  ASSERT_TRUE(store.Load(testing::MakeSale("s", 0, 10, now, now + std::chrono::hours(1))).ok());
  auto at = [&](std::chrono::milliseconds offset, const char* order) {
    return testing::ReserveSync(store,
                                domain::Reservation{testing::MakeRequest("s", "item-1", "u", "r"),
                                                    MakeId<domain::OrderId>(order), now + offset});
  };
  EXPECT_FALSE(at(std::chrono::milliseconds(0), "A").replayed);
  EXPECT_TRUE(at(std::chrono::minutes(9), "B").replayed);
  EXPECT_FALSE(at(std::chrono::minutes(10), "C").replayed);  // expired: a fresh answer
}

TEST(MemoryStockStoreTest, FullQueueIsUnavailableAndWritesNothing) {
  ManualClock clock;
  MemoryOrderQueue queue(MemoryQueueOptions{1});
  MemoryStockStore store(queue, clock);
  auto now = clock.Now();
  ASSERT_TRUE(store.Load(testing::MakeSale("s", 5, 10, now, now + std::chrono::hours(1))).ok());
  auto buy = [&](const char* user) {
    return testing::ReserveSync(
        store, domain::Reservation{testing::MakeRequest("s", "item-1", user, "r"),
                                   MakeId<domain::OrderId>(std::string("O-") + user), now});
  };
  EXPECT_EQ(buy("a").outcome, Outcome::kAccepted);
  EXPECT_EQ(buy("b").outcome, Outcome::kUnavailable);
  EXPECT_EQ(store.Snapshot(MakeId<domain::SaleId>("s"))->items[0].remaining, 4);
  EXPECT_EQ(store.UnitsHeld(MakeId<domain::SaleId>("s"), MakeId<domain::UserId>("b")), 0);
  // Not stored: once there is room again, the same request goes through.
  auto pulled = queue.Pull("c", 10, std::chrono::milliseconds(0));
  ASSERT_TRUE(queue.Ack({pulled->at(0).receipt}).ok());
  auto retry = buy("b");
  EXPECT_EQ(retry.outcome, Outcome::kAccepted);
  EXPECT_FALSE(retry.replayed);
}

// 64 threads x 1,000 purchases against 10,000 units and a 10-per-user limit over 2,000
// users, through the real use case (validation, ids, fast path) and the memory store.
TEST(MemoryStockStoreConcurrencyTest, ExactlyTheStockIsSoldAndNobodyExceedsTheLimit) {
  constexpr int kThreads = 64;
  constexpr int kPerThread = 1000;
  constexpr int kUsers = 2000;
  constexpr std::int64_t kStock = 10'000;
  constexpr int kLimit = 10;

  ManualClock clock;
  MemoryOrderQueue queue;
  MemoryStockStore store(queue, clock);
  core::UlidGenerator ids(clock);
  ports::NullMetrics metrics;
  core::PlacePurchase place(store, ids, clock, metrics);
  auto now = clock.Now();
  auto sale = testing::MakeSale("big", kStock, kLimit, now, now + std::chrono::hours(1));
  ASSERT_TRUE(store.Load(sale).ok());

  std::atomic<int> accepted{0}, sold_out{0}, limited{0}, other{0};
  std::mutex mu;
  std::map<std::string, int> units_by_user;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int n = t * kPerThread + i;
        domain::PurchaseInput input{"big", "item-1", "user-" + std::to_string((n * 7919) % kUsers),
                                    "req-" + std::to_string(n), 1};
        place.Execute(input, [&, user = input.user_id](domain::PurchaseReply reply) {
          switch (reply.outcome) {
            case Outcome::kAccepted: {
              ++accepted;
              std::lock_guard lock(mu);
              ++units_by_user[user];
              break;
            }
            case Outcome::kSoldOut:
              ++sold_out;
              break;
            case Outcome::kUserLimitReached:
              ++limited;
              break;
            default:
              ++other;
              break;
          }
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(accepted.load(), kStock);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(accepted + sold_out + limited, kThreads * kPerThread);
  EXPECT_EQ(store.Snapshot(sale.id)->items[0].remaining, 0);
  EXPECT_EQ(*queue.Depth(), static_cast<std::size_t>(kStock));
  int max_units = 0;
  for (const auto& [user, units] : units_by_user) {
    max_units = std::max(max_units, units);
    EXPECT_EQ(store.UnitsHeld(sale.id, MakeId<domain::UserId>(user)), units);
  }
  EXPECT_LE(max_units, kLimit);
}

}  // namespace
}  // namespace flashsale::memory
