// The answer when Redis is lost after a reservation was sent, against a real redis-server:
// an unknown outcome (Unavailable, "outcome unknown"), which a retry with the same request id
// resolves.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "builders.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "redis_server.hpp"
#include "reserve_sync.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;

/// Submits every reservation without waiting (so that they queue up together), then waits
/// for all the answers, in submission order.
std::vector<domain::PurchaseReply> ReserveAll(redis::RedisStockStore& store,
                                              const std::vector<domain::Reservation>& all) {
  std::vector<std::promise<domain::PurchaseReply>> promises(all.size());
  std::vector<std::future<domain::PurchaseReply>> futures;
  for (auto& promise : promises) futures.push_back(promise.get_future());
  for (std::size_t i = 0; i < all.size(); ++i) {
    store.Reserve(all[i], [&promises, i](domain::PurchaseReply reply) {
      promises[i].set_value(std::move(reply));
    });
  }
  std::vector<domain::PurchaseReply> replies;
  for (auto& future : futures) replies.push_back(future.get());
  return replies;
}

std::vector<domain::Reservation> Reservations(const domain::Sale& sale, int count,
                                              const std::string& tag,
                                              const std::vector<std::string>& items) {
  std::vector<domain::Reservation> all;
  const auto now = core::SystemClock().Now();
  for (int i = 0; i < count; ++i) {
    const std::string n = std::to_string(i);
    all.push_back(
        domain::Reservation{MakeRequest(sale.id.str(), items[i % items.size()], "u" + n, "r" + n),
                            MakeId<domain::OrderId>(tag + n), now});
  }
  return all;
}

TEST(RedisUnknownOutcomeTest, AReplyThatNeverCameIsAnUnknownOutcomeAndARetryTellsIt) {
  RedisServer server;
  redis::RedisStockStore store(server.Options());  // 200 ms command timeout
  const auto now = core::SystemClock().Now();
  domain::Sale sale =
      MakeSale("unknown", 10, 10, now - std::chrono::minutes(1), now + std::chrono::hours(1));
  ASSERT_TRUE(store.Load(sale).ok());
  // Redis busy for 3 s (a script on another connection), and the test waits until a probe
  // sees it stalled: the reservation is sent, its reply does not come within the timeout,
  // and the connection is given up.
  std::thread busy;
  const bool stalled = server.StartBusy(
      "EVAL \"local s = redis.call('TIME') local t = s[1] * 1000000 + s[2] "
      "while true do local n = redis.call('TIME') "
      "if n[1] * 1000000 + n[2] - t > 3000000 then return 1 end end\" 0",
      busy);
  const auto first = stalled ? ReserveAll(store, Reservations(sale, 1, "U", {"item-1"}))
                             : std::vector<domain::PurchaseReply>{};
  if (busy.joinable()) busy.join();
  ASSERT_TRUE(stalled) << "redis-server never ran the busy script";
  ASSERT_EQ(first[0].outcome, Outcome::kUnavailable) << first[0].detail;
  EXPECT_EQ(first[0].detail, domain::kOutcomeUnknownDetail);
  // The retry with the same request id learns the outcome once the store has reconnected;
  // either way one order exists.
  domain::PurchaseReply retry;
  for (int attempt = 0; attempt < 50; ++attempt) {
    retry = ReserveAll(store, Reservations(sale, 1, "V", {"item-1"}))[0];
    if (retry.outcome != Outcome::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(retry.outcome, Outcome::kAccepted) << retry.detail;
  EXPECT_EQ(server.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "1");
}

}  // namespace
}  // namespace flashsale::testing

namespace flashsale::testing {

// --redis-wait-replicas: a purchase is acknowledged only once that many replicas have it.
TEST(RedisWaitReplicasTest, APurchaseNoReplicaConfirmedIsUnavailableAndItsRetryTellsTheSame) {
  RedisServer server;
  redis::RedisOptions options = server.Options();
  options.wait_replicas = 1;  // and this Redis has no replica
  redis::RedisStockStore store(options);
  const auto now = core::SystemClock().Now();
  domain::Sale sale =
      MakeSale("waited", 10, 10, now - std::chrono::minutes(1), now + std::chrono::hours(1));
  ASSERT_TRUE(store.Load(sale).ok());
  const auto all = Reservations(sale, 3, "W", {"item-1"});
  const auto started = std::chrono::steady_clock::now();
  const auto replies = ReserveAll(store, all);
  const auto waited = std::chrono::steady_clock::now() - started;
  for (const auto& reply : replies) {
    EXPECT_EQ(reply.outcome, Outcome::kUnavailable);
    EXPECT_EQ(reply.detail, redis::kNotReplicatedDetail);
    EXPECT_FALSE(reply.order_id.has_value());
  }
  // One WAIT for the batch, bounded by half the command timeout: no connection was lost.
  EXPECT_LT(waited, std::chrono::milliseconds(1000));
  EXPECT_TRUE(store.Healthy());
  // The master has the orders: in the stream (the workers persist them) and in the stock.
  EXPECT_EQ(server.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "3");
  EXPECT_EQ(store.Snapshot(sale.id)->items[0].remaining, 7);
  // A retry with the same request id replays the stored answer: the same order, still not
  // confirmed here; and once confirmed (a store without WAIT stands in for a replica that
  // caught up), accepted with that order.
  EXPECT_EQ(ReserveSync(store, all[0]).detail, redis::kNotReplicatedDetail);
  redis::RedisOptions plain = server.Options();
  redis::RedisStockStore unwaited(plain);
  const auto replay = ReserveSync(unwaited, all[0]);
  EXPECT_EQ(replay.outcome, Outcome::kAccepted);
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.order_id->str(), "W0");
}

TEST(RedisWaitReplicasTest, APurchaseAReplicaHasIsAccepted) {
  RedisServer master;
  RedisServer replica;
  ASSERT_EQ(master.Cli("CONFIG SET repl-diskless-sync-delay 0"), "OK");  // sync at once
  ASSERT_EQ(replica.Cli("REPLICAOF 127.0.0.1 " + std::to_string(master.port())), "OK");
  ASSERT_TRUE(WaitFor([&] { return WritesReachReplicas(master.port(), "flows", 1); },
                      std::chrono::seconds(10)));
  redis::RedisOptions options = master.Options();
  options.wait_replicas = 1;
  redis::RedisStockStore store(options);
  const auto now = core::SystemClock().Now();
  domain::Sale sale =
      MakeSale("replicated", 10, 10, now - std::chrono::minutes(1), now + std::chrono::hours(1));
  ASSERT_TRUE(store.Load(sale).ok());
  const auto all = Reservations(sale, 12, "R", {"item-1"});
  int accepted = 0, sold_out = 0;
  for (const auto& reply : ReserveAll(store, all)) {
    accepted += reply.outcome == Outcome::kAccepted ? 1 : 0;
    sold_out += reply.outcome == Outcome::kSoldOut ? 1 : 0;
  }
  EXPECT_EQ(accepted, 10);
  EXPECT_EQ(sold_out, 2);
  // The replica has every accepted order.
  EXPECT_EQ(replica.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "10");
}

}  // namespace flashsale::testing
