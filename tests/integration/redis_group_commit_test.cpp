// Group commit of reservations against a real redis-server: reservations of one sale waiting
// in the pipeline together go to Redis as one fs2_reserve_many call, and each caller still
// gets exactly the answer fs2_reserve alone would have given. And the answer when Redis is
// lost after a reservation was sent: an unknown outcome, which a retry resolves.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "builders.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "redis_server.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;

/// The number of FCALLs Redis has executed since the last CONFIG RESETSTAT.
long long FcallCalls(RedisServer& server) {
  const std::string stats = server.Cli("INFO commandstats");
  const auto at = stats.find("cmdstat_fcall:calls=");
  return at == std::string::npos ? 0 : std::atoll(stats.c_str() + at + 20);
}

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

TEST(RedisGroupCommitTest, GroupedReservationsEachGetTheirOwnAnswerAndReplay) {
  RedisServer server;
  redis::RedisStockStore store(server.Options());
  const auto now = core::SystemClock().Now();
  domain::Sale sale =
      MakeSale("grouped", 500, 1, now - std::chrono::minutes(1), now + std::chrono::hours(1));
  ASSERT_TRUE(store.Load(sale).ok());
  server.Cli("CONFIG RESETSTAT");
  const auto all = Reservations(sale, 2000, "G", {"item-1"});
  const auto replies = ReserveAll(store, all);
  const long long calls = FcallCalls(server);

  std::set<std::string> orders;
  std::map<Outcome, int> outcomes;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    ++outcomes[replies[i].outcome];
    if (replies[i].outcome == Outcome::kAccepted) {
      ASSERT_TRUE(replies[i].order_id.has_value());
      EXPECT_EQ(replies[i].order_id->str(), all[i].order_id.str());  // its own order
      orders.insert(replies[i].order_id->str());
    }
  }
  EXPECT_EQ(outcomes[Outcome::kAccepted], 500);
  EXPECT_EQ(outcomes[Outcome::kSoldOut], 1500);
  EXPECT_EQ(orders.size(), 500U);
  EXPECT_EQ(server.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "500");
  EXPECT_EQ(server.Cli("GET '" + redis::Keys::Stock(sale.id, sale.items[0].id) + "'"), "0");
  std::printf("2000 reservations in %lld FCALLs\n", calls);
  EXPECT_LT(calls, 2000) << "no reservation was grouped";

  // Replays (same user, request id and payload) answer each first answer, also grouped.
  auto again = all;
  for (std::size_t i = 0; i < again.size(); ++i) {
    again[i].order_id = MakeId<domain::OrderId>("H" + std::to_string(i));
  }
  const auto replayed = ReserveAll(store, again);
  for (std::size_t i = 0; i < replayed.size(); ++i) {
    ASSERT_EQ(replayed[i].outcome, replies[i].outcome) << i;
    EXPECT_TRUE(replayed[i].replayed) << i;
    if (replies[i].outcome == Outcome::kAccepted) {
      EXPECT_EQ(replayed[i].order_id->str(), replies[i].order_id->str());
    }
  }
  EXPECT_EQ(server.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "500");
}

TEST(RedisGroupCommitTest, AReservationThatFailsInRedisFailsAloneInItsGroup) {
  RedisServer server;
  redis::RedisStockStore store(server.Options());
  const auto now = core::SystemClock().Now();
  domain::Sale sale =
      MakeSale("mixed", 1000, 1, now - std::chrono::minutes(1), now + std::chrono::hours(1));
  sale.items.push_back(domain::SaleItem{MakeId<domain::ItemId>("item-2"), 1000, 999, "item-2"});
  ASSERT_TRUE(store.Load(sale).ok());
  // item-2's stock is corrupted: the reserve script raises an error for it.
  server.Cli("SET '" + redis::Keys::Stock(sale.id, sale.items[1].id) + "' not-a-number");
  const auto replies = ReserveAll(store, Reservations(sale, 400, "M", {"item-1", "item-2"}));
  int accepted = 0, failed = 0;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(replies[i].outcome, Outcome::kAccepted) << i << " " << replies[i].detail;
      accepted += replies[i].outcome == Outcome::kAccepted;
    } else {
      EXPECT_EQ(replies[i].outcome, Outcome::kInternal) << i << " " << replies[i].detail;
      failed += replies[i].outcome == Outcome::kInternal;
    }
  }
  EXPECT_EQ(accepted, 200);
  EXPECT_EQ(failed, 200);
  EXPECT_EQ(server.Cli("GET '" + redis::Keys::Stock(sale.id, sale.items[0].id) + "'"), "800");
  EXPECT_EQ(server.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "200");
}

TEST(RedisUnknownOutcomeTest, AReplyThatNeverCameIsAnUnknownOutcomeAndARetryTellsIt) {
  RedisServer server;
  redis::RedisStockStore store(server.Options());  // 200 ms command timeout
  const auto now = core::SystemClock().Now();
  domain::Sale sale =
      MakeSale("unknown", 10, 10, now - std::chrono::minutes(1), now + std::chrono::hours(1));
  ASSERT_TRUE(store.Load(sale).ok());
  // Redis busy for 800 ms (a script on another connection): the reservation is sent, its
  // reply does not come within the timeout, and the connection is given up.
  std::thread busy([&] {
    server.Cli(
        "EVAL \"local s = redis.call('TIME') local t = s[1] * 1000000 + s[2] "
        "while true do local n = redis.call('TIME') "
        "if n[1] * 1000000 + n[2] - t > 800000 then return 1 end end\" 0");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto first = ReserveAll(store, Reservations(sale, 1, "U", {"item-1"}));
  busy.join();
  ASSERT_EQ(first[0].outcome, Outcome::kUnavailable);
  EXPECT_EQ(first[0].detail, domain::kOutcomeUnknownDetail);
  // The retry with the same request id learns the outcome; either way one order exists.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // reconnected
  const auto retry = ReserveAll(store, Reservations(sale, 1, "V", {"item-1"}));
  EXPECT_EQ(retry[0].outcome, Outcome::kAccepted) << retry[0].detail;
  EXPECT_EQ(server.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "1");
}

}  // namespace
}  // namespace flashsale::testing
