#include "flashsale/core/persist_orders.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "builders.hpp"
#include "flashsale/memory/manual_clock.hpp"
#include "flashsale/memory/memory_order_queue.hpp"
#include "flashsale/memory/memory_order_repository.hpp"
#include "flashsale/memory/memory_sale_repository.hpp"
#include "flashsale/memory/memory_stock_store.hpp"
#include "mock_ports.hpp"
#include "recording_logger.hpp"

namespace flashsale::core {
namespace {

using std::chrono::milliseconds;
using ::testing::_;
using ::testing::AnyNumber;
using ::testing::ElementsAre;
using ::testing::InSequence;
using testing::MakeOrder;
using ::testing::NiceMock;
using ::testing::Return;

using Batch = std::vector<ports::QueuedEntry>;

Batch MakeBatch(std::initializer_list<const char*> ids) {
  Batch batch;
  for (const char* id : ids)
    batch.push_back(ports::QueuedEntry{std::string("rcpt-") + id, MakeOrder(id), std::nullopt});
  return batch;
}

ports::SaveResult Saved() { return ports::SaveResult{true, domain::Outcome::kAccepted, {}}; }
ports::SaveResult Refused(domain::Outcome reason) {
  return ports::SaveResult{false, reason, "guard"};
}
domain::Error Down() { return domain::Error{domain::Outcome::kUnavailable, "down"}; }

/// Polls `done` for up to 10 s.
template <class F>
bool Eventually(F done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return done();
}

class PersistOrdersTest : public ::testing::Test {
 protected:
  PersistOrdersTest() {
    // After the scripted batches, the queue is empty forever.
    ON_CALL(queue_, Pull(_, _, _)).WillByDefault([](auto, auto, milliseconds wait) {
      std::this_thread::sleep_for(std::min(wait, milliseconds(5)));
      return domain::Result<Batch>(Batch{});
    });
    ON_CALL(queue_, ReclaimStale(_, _, _)).WillByDefault(Return(domain::Result<Batch>(Batch{})));
    EXPECT_CALL(queue_, ReclaimStale(_, _, _)).Times(AnyNumber());
  }

  PersistOptions Options() {
    PersistOptions options;
    options.workers = 1;
    options.pull_wait = milliseconds(5);
    options.backoff_initial = milliseconds(5);
    options.backoff_max = milliseconds(20);
    options.reclaim_interval = milliseconds(3'600'000);
    options.linger = milliseconds(0);
    return options;
  }

  /// The first Pull returns `batch`, later ones nothing.
  void QueueHolds(Batch batch) {
    EXPECT_CALL(queue_, Pull(_, _, _))
        .WillOnce(Return(domain::Result<Batch>(std::move(batch))))
        .WillRepeatedly([](auto, auto, milliseconds wait) {
          std::this_thread::sleep_for(std::min(wait, milliseconds(5)));
          return domain::Result<Batch>(Batch{});
        });
  }

  NiceMock<testing::MockOrderQueue> queue_;
  testing::MockOrderRepository repository_;
  testing::MockStockStore store_;
  NiceMock<testing::MockMetrics> metrics_;
};

TEST_F(PersistOrdersTest, SavesThenAcksABatch) {
  QueueHolds(MakeBatch({"A", "B", "C"}));
  {
    InSequence order;
    EXPECT_CALL(repository_, SaveBatch(_)).WillOnce([](std::span<const domain::Order> orders) {
      EXPECT_EQ(orders.size(), 3U);
      EXPECT_EQ(orders[0].id.str(), "A");
      return domain::Result<std::vector<ports::SaveResult>>({Saved(), Saved(), Saved()});
    });
    EXPECT_CALL(queue_, Ack(ElementsAre("rcpt-A", "rcpt-B", "rcpt-C")))
        .WillOnce(Return(domain::Ok()));
  }
  EXPECT_CALL(store_, Release(_, _)).Times(0);
  EXPECT_CALL(metrics_, OrdersPersisted(3));
  PersistOrders pool(queue_, repository_, store_, metrics_, Options());
  pool.Start();
  ASSERT_TRUE(Eventually([&] { return pool.stats().persisted == 3; }));
  EXPECT_TRUE(pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(5)));
  EXPECT_EQ(pool.stats().failed, 0U);
}

TEST_F(PersistOrdersTest, TransientSaveFailureKeepsTheBatchBacksOffAndNeverAcksEarly) {
  QueueHolds(MakeBatch({"A", "B"}));
  std::vector<std::chrono::steady_clock::time_point> attempts;
  std::mutex mu;
  EXPECT_CALL(repository_, SaveBatch(_))
      .Times(4)
      .WillRepeatedly([&](std::span<const domain::Order> orders)
                          -> domain::Result<std::vector<ports::SaveResult>> {
        std::lock_guard lock(mu);
        attempts.push_back(std::chrono::steady_clock::now());
        EXPECT_EQ(orders.size(), 2U);  // the same batch every time
        if (attempts.size() < 4) return Down();
        return std::vector<ports::SaveResult>{Saved(), Saved()};
      });
  EXPECT_CALL(queue_, Ack(ElementsAre("rcpt-A", "rcpt-B"))).WillOnce(Return(domain::Ok()));
  EXPECT_CALL(metrics_, PersistRetried()).Times(3);
  PersistOrders pool(queue_, repository_, store_, metrics_, Options());
  pool.Start();
  ASSERT_TRUE(Eventually([&] { return pool.stats().persisted == 2; }));
  pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(pool.stats().retries, 3U);
  std::lock_guard lock(mu);
  ASSERT_EQ(attempts.size(), 4U);
  // Exponential backoff capped at 20 ms: waits of at least 5, 10, 20 ms.
  EXPECT_GE(attempts[1] - attempts[0], milliseconds(5));
  EXPECT_GE(attempts[2] - attempts[1], milliseconds(10));
  EXPECT_GE(attempts[3] - attempts[2], milliseconds(20));
}

/// Keeps what was logged, for the outage tests.
TEST_F(PersistOrdersTest, AnOutageIsLoggedOnceThenPeriodicallyThenItsRecovery) {
  QueueHolds(MakeBatch({"A"}));
  std::atomic<int> calls{0};
  EXPECT_CALL(repository_, SaveBatch(_))
      .WillRepeatedly(
          [&](std::span<const domain::Order>) -> domain::Result<std::vector<ports::SaveResult>> {
            if (++calls < 30) return Down();
            return std::vector<ports::SaveResult>{Saved()};
          });
  EXPECT_CALL(queue_, Ack(_)).WillOnce(Return(domain::Ok()));
  EXPECT_CALL(queue_, Depth()).WillRepeatedly(Return(domain::Result<std::size_t>(1)));
  flashsale::testing::RecordingLogger log;
  PersistOptions options = Options();
  options.workers = 2;  // the idle worker's empty pulls must not end the other's outage
  options.backoff_max = milliseconds(5);
  options.outage_report_interval = milliseconds(40);
  PersistOrders pool(queue_, repository_, store_, metrics_, options, &log);
  pool.Start();
  ASSERT_TRUE(Eventually([&] { return pool.stats().persisted == 1; }));
  pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  auto lines = log.lines();
  ASSERT_GE(lines.size(), 3U);
  EXPECT_EQ(lines.front().first, ports::LogLevel::kWarn);
  EXPECT_TRUE(lines.front().second.starts_with("persistence failing")) << lines.front().second;
  EXPECT_EQ(lines.back(),
            std::make_pair(ports::LogLevel::kInfo, std::string("persistence recovered")));
  // 29 failures 5 ms apart (>= 145 ms) with a report every 40 ms: a few reports, not 29.
  const auto still = std::count_if(lines.begin(), lines.end(), [](const auto& line) {
    return line.second == "persistence still failing";
  });
  EXPECT_GE(still, 1);
  EXPECT_LT(still, 28);  // far fewer than the failures (the interval holds them back)
  EXPECT_EQ(lines.size(), static_cast<std::size_t>(still) + 2);
}

TEST_F(PersistOrdersTest, PermanentFailureReleasesThenAcksWhileTheRestPersists) {
  QueueHolds(MakeBatch({"A", "B", "C"}));
  EXPECT_CALL(repository_, SaveBatch(_))
      .WillOnce(Return(domain::Result<std::vector<ports::SaveResult>>(
          {Saved(), Refused(domain::Outcome::kSoldOut), Saved()})));
  {
    InSequence order;
    EXPECT_CALL(store_,
                Release(::testing::Field(&domain::Order::id, testing::MakeId<domain::OrderId>("B")),
                        domain::Outcome::kSoldOut))
        .WillOnce(Return(domain::Result<bool>(true)));
    EXPECT_CALL(queue_, Ack(ElementsAre("rcpt-A", "rcpt-B", "rcpt-C")))
        .WillOnce(Return(domain::Ok()));
  }
  EXPECT_CALL(metrics_, OrdersFailed(1));
  PersistOrders pool(queue_, repository_, store_, metrics_, Options());
  pool.Start();
  ASSERT_TRUE(Eventually([&] { return pool.stats().failed == 1; }));
  pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(pool.stats().persisted, 2U);
}

TEST_F(PersistOrdersTest, UnavailableReleaseRetriesTheWholeBatchBeforeAcking) {
  QueueHolds(MakeBatch({"A", "B"}));
  EXPECT_CALL(repository_, SaveBatch(_))
      .Times(2)
      .WillRepeatedly(Return(domain::Result<std::vector<ports::SaveResult>>(
          {Saved(), Refused(domain::Outcome::kUnknownItem)})));
  EXPECT_CALL(store_, Release(_, domain::Outcome::kUnknownItem))
      .WillOnce(Return(domain::Result<bool>(Down())))
      .WillOnce(Return(domain::Result<bool>(true)));
  EXPECT_CALL(queue_, Ack(_)).WillOnce(Return(domain::Ok()));
  PersistOrders pool(queue_, repository_, store_, metrics_, Options());
  pool.Start();
  ASSERT_TRUE(Eventually([&] { return pool.stats().failed == 1; }));
  pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(pool.stats().retries, 1U);
}

TEST_F(PersistOrdersTest, FailedAckIsRetriedWithTheSameBatch) {
  QueueHolds(MakeBatch({"A"}));
  EXPECT_CALL(repository_, SaveBatch(_))
      .Times(2)
      .WillRepeatedly(Return(domain::Result<std::vector<ports::SaveResult>>({Saved()})));
  EXPECT_CALL(queue_, Ack(ElementsAre("rcpt-A")))
      .WillOnce(Return(domain::Result<void>(Down())))
      .WillOnce(Return(domain::Ok()));
  PersistOrders pool(queue_, repository_, store_, metrics_, Options());
  pool.Start();
  ASSERT_TRUE(Eventually([&] { return pool.stats().persisted == 1; }));
  pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
}

TEST_F(PersistOrdersTest, SmallBatchesLingerSoOrdersAccumulate) {
  std::vector<std::chrono::steady_clock::time_point> pulls;
  std::mutex mu;
  EXPECT_CALL(queue_, Pull(_, _, _)).WillRepeatedly([&](auto, auto, milliseconds) {
    std::lock_guard lock(mu);
    pulls.push_back(std::chrono::steady_clock::now());
    return domain::Result<Batch>(pulls.size() <= 2 ? MakeBatch({pulls.size() == 1 ? "A" : "B"})
                                                   : Batch{});
  });
  EXPECT_CALL(repository_, SaveBatch(_))
      .Times(2)
      .WillRepeatedly(Return(domain::Result<std::vector<ports::SaveResult>>({Saved()})));
  EXPECT_CALL(queue_, Ack(_)).Times(2).WillRepeatedly(Return(domain::Ok()));
  auto options = Options();
  options.linger = milliseconds(40);
  PersistOrders pool(queue_, repository_, store_, metrics_, options);
  pool.Start();
  ASSERT_TRUE(Eventually([&] { return pool.stats().persisted == 2; }));
  pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  std::lock_guard lock(mu);
  ASSERT_GE(pulls.size(), 2U);
  EXPECT_GE(pulls[1] - pulls[0], milliseconds(40))
      << "a 1-order batch (of 500) waits before the next pull";
}

TEST_F(PersistOrdersTest, FailedPullBacksOffAndRecovers) {
  EXPECT_CALL(queue_, Pull(_, _, _))
      .WillOnce(Return(domain::Result<Batch>(Down())))
      .WillOnce(Return(domain::Result<Batch>(MakeBatch({"A"}))))
      .WillRepeatedly(Return(domain::Result<Batch>(Batch{})));
  EXPECT_CALL(repository_, SaveBatch(_))
      .WillOnce(Return(domain::Result<std::vector<ports::SaveResult>>({Saved()})));
  EXPECT_CALL(queue_, Ack(_)).WillOnce(Return(domain::Ok()));
  PersistOrders pool(queue_, repository_, store_, metrics_, Options());
  pool.Start();
  ASSERT_TRUE(Eventually([&] { return pool.stats().persisted == 1; }));
  pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(pool.stats().retries, 1U);
}

TEST_F(PersistOrdersTest, ReclaimsOrdersOfADeadWorker) {
  auto options = Options();
  options.reclaim_interval = milliseconds(0);
  options.reclaim_idle = milliseconds(1234);
  EXPECT_CALL(queue_, ReclaimStale(_, milliseconds(1234), 500))
      .WillOnce(Return(domain::Result<Batch>(MakeBatch({"DEAD"}))))
      .WillRepeatedly(Return(domain::Result<Batch>(Batch{})));
  EXPECT_CALL(repository_, SaveBatch(_))
      .WillOnce(Return(domain::Result<std::vector<ports::SaveResult>>({Saved()})));
  EXPECT_CALL(queue_, Ack(ElementsAre("rcpt-DEAD"))).WillOnce(Return(domain::Ok()));
  PersistOrders pool(queue_, repository_, store_, metrics_, options);
  pool.Start();
  ASSERT_TRUE(
      Eventually([&] { return pool.stats().reclaimed == 1 && pool.stats().persisted == 1; }));
  pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
}

// Drain and deadline against the real in-memory adapters.
class PersistDrainTest : public ::testing::Test {
 protected:
  PersistDrainTest()
      : orders_(sales_),
        store_(queue_, clock_),
        sale_(testing::MakeSale("sale-1", 1'000'000, 1'000'000, clock_.Now(),
                                clock_.Now() + std::chrono::hours(1))) {
    EXPECT_TRUE(sales_.Create(sale_).ok());
    EXPECT_TRUE(store_.Load(sale_).ok());
  }
  void Enqueue(int n) {
    for (int i = 0; i < n; ++i) {
      std::string id = "O" + std::to_string(i);
      domain::Reservation r{
          testing::MakeRequest("sale-1", "item-1", "u" + std::to_string(i % 100), id),
          testing::MakeId<domain::OrderId>(id), clock_.Now()};
      store_.Reserve(r, [](domain::PurchaseReply reply) {
        ASSERT_EQ(reply.outcome, domain::Outcome::kAccepted);
      });
    }
  }

  memory::ManualClock clock_;
  memory::MemorySaleRepository sales_;
  memory::MemoryOrderRepository orders_;
  memory::MemoryOrderQueue queue_;
  memory::MemoryStockStore store_;
  ports::NullMetrics metrics_;
  domain::Sale sale_;
};

TEST_F(PersistDrainTest, StopDrainsEveryQueuedEntry) {
  Enqueue(5000);
  PersistOptions options;
  options.workers = 4;
  options.batch_size = 100;
  PersistOrders pool(queue_, orders_, store_, metrics_, options);
  pool.Start();
  EXPECT_TRUE(pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ(*queue_.Depth(), 0U);
  EXPECT_EQ(orders_.size(), 5000U);
  EXPECT_EQ(*orders_.CountSold(sale_.id, sale_.items[0].id), 5000);
  EXPECT_EQ(pool.stats().persisted, 5000U);
}

TEST_F(PersistDrainTest, DeadlineStopsWithoutAckingUnsavedOrders) {
  Enqueue(300);
  orders_.SetFailing(true);
  PersistOptions options;
  options.workers = 2;
  options.batch_size = 100;
  options.backoff_initial = milliseconds(10);
  PersistOrders pool(queue_, orders_, store_, metrics_, options);
  pool.Start();
  EXPECT_FALSE(pool.Stop(std::chrono::steady_clock::now() + milliseconds(200)));
  EXPECT_EQ(*queue_.Depth(), 300U);  // nothing acknowledged, nothing dropped
  EXPECT_GT(pool.stats().retries, 0U);
  EXPECT_EQ(pool.stats().persisted, 0U);

  // A fresh pool (after the outage) takes the stale batches over and finishes the job.
  orders_.SetFailing(false);
  options.reclaim_idle = milliseconds(0);
  options.reclaim_interval = milliseconds(0);
  PersistOrders second(queue_, orders_, store_, metrics_, options);
  second.Start();
  ASSERT_TRUE(Eventually([&] { return *queue_.Depth() == 0; }));
  EXPECT_TRUE(second.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(10)));
  EXPECT_EQ(orders_.size(), 300U);
}

TEST_F(PersistDrainTest, GuardRefusalReleasesUnitsAndRecordsADeadLetter) {
  // The repository knows less stock than the store (they disagree on purpose).
  domain::Sale smaller =
      testing::MakeSale("sale-2", 2, 10, clock_.Now(), clock_.Now() + std::chrono::hours(1));
  ASSERT_TRUE(sales_.Create(smaller).ok());
  domain::Sale bigger = smaller;
  bigger.items[0].stock = 3;
  ASSERT_TRUE(store_.Load(bigger).ok());
  for (int i = 0; i < 3; ++i) {
    domain::Reservation r{testing::MakeRequest("sale-2", "item-1", "u" + std::to_string(i), "r"),
                          testing::MakeId<domain::OrderId>("G" + std::to_string(i)), clock_.Now()};
    store_.Reserve(r, [](domain::PurchaseReply reply) {
      ASSERT_EQ(reply.outcome, domain::Outcome::kAccepted);
    });
  }
  PersistOptions options;
  options.workers = 1;
  PersistOrders pool(queue_, orders_, store_, metrics_, options);
  pool.Start();
  ASSERT_TRUE(pool.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(10)));
  EXPECT_EQ(pool.stats().persisted, 2U);
  EXPECT_EQ(pool.stats().failed, 1U);
  auto dead = store_.DeadLetters(smaller.id);
  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead[0].reason, domain::Outcome::kSoldOut);
  EXPECT_EQ(store_.Snapshot(smaller.id)->items[0].remaining, 1);
  EXPECT_EQ(store_.UnitsHeld(smaller.id, dead[0].order.user), 0);
  auto failed = orders_.Find(dead[0].order.id);
  ASSERT_TRUE(failed.ok() && failed->has_value());
  EXPECT_EQ((*failed)->status, domain::OrderStatus::kFailed);
  EXPECT_EQ(*store_.FindOrderStatus(smaller.id, dead[0].order.id), domain::OrderStatus::kFailed);
  EXPECT_EQ(*queue_.Depth(), 0U);
}

}  // namespace
}  // namespace flashsale::core
