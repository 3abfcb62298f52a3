// A purchase's rate buckets drawn by the reserve function itself (StockStore::
// DrawsRateBuckets), against a real redis-server: one FCALL per purchase, all or nothing, and
// a refusal writes nothing else.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "builders.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_rate_limiter.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "redis_server.hpp"
#include "reserve_sync.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;
using std::chrono::microseconds;

class RedisReserveBucketsTest : public ::testing::Test {
 protected:
  RedisReserveBucketsTest() { EXPECT_TRUE(store_.Load(sale_).ok()); }

  domain::PurchaseReply Buy(const std::string& user, const std::string& request,
                            std::vector<domain::RateBucket> buckets) {
    return ReserveSync(store_,
                       domain::Reservation{MakeRequest(sale_.id.str(), "item-1", user, request),
                                           MakeId<domain::OrderId>("O" + std::to_string(++orders_)),
                                           core::SystemClock().Now(), std::move(buckets)});
  }

  std::string Cli(const std::string& args) { return server_.Cli(args); }
  std::string Buckets() { return "'" + redis::Keys::RateBuckets(sale_.id) + "'"; }

  RedisServer server_;
  redis::RedisStockStore store_{server_.Options()};
  domain::Sale sale_ = MakeSale("rl", 10, 10, core::SystemClock().Now() - std::chrono::minutes(1),
                                core::SystemClock().Now() + std::chrono::hours(1));
  int orders_ = 0;
};

TEST_F(RedisReserveBucketsTest, TheBucketsAreDrawnInTheReservationsOwnCall) {
  EXPECT_TRUE(store_.DrawsRateBuckets());
  Cli("CONFIG RESETSTAT");
  // 2 tokens an hour for alice: two purchases pass, the third is refused for about an hour.
  const std::vector<domain::RateBucket> alice{{"u:alice", 1.0 / 3600, 2},
                                              {"a:10.0.0.1", 1.0 / 3600, 50}};
  auto first = Buy("alice", "r1", alice);
  ASSERT_EQ(first.outcome, Outcome::kAccepted) << first.detail;
  ASSERT_TRUE(first.rate.has_value());
  EXPECT_TRUE(first.rate->allowed);
  EXPECT_EQ(first.rate->binding, 0U);  // the user bucket has the fewest tokens left
  EXPECT_EQ(first.rate->remaining, 1);
  auto second = Buy("alice", "r2", alice);
  ASSERT_EQ(second.outcome, Outcome::kAccepted);
  EXPECT_EQ(second.rate->remaining, 0);
  auto refused = Buy("alice", "r3", alice);
  EXPECT_EQ(refused.outcome, Outcome::kRateLimited);
  ASSERT_TRUE(refused.rate.has_value());
  EXPECT_FALSE(refused.rate->allowed);
  EXPECT_EQ(refused.rate->binding, 0U);
  EXPECT_GT(refused.rate->retry_after, std::chrono::minutes(59));
  EXPECT_LE(refused.rate->retry_after, std::chrono::hours(1));
  EXPECT_FALSE(refused.order_id.has_value());
  // The refusal wrote nothing: stock, the user's count, the stream, the stored answers.
  EXPECT_EQ(Cli("GET '" + redis::Keys::Stock(sale_.id, MakeId<domain::ItemId>("item-1")) + "'"),
            "8");
  EXPECT_EQ(Cli("HGET '" + redis::Keys::Bought(sale_.id) + "' alice"), "2");
  EXPECT_EQ(Cli("XLEN '" + redis::Keys::Orders(sale_.id) + "'"), "2");
  EXPECT_EQ(Cli("EXISTS '" +
                redis::Keys::Answer(sale_.id, MakeId<domain::UserId>("alice"),
                                    MakeId<domain::RequestId>("r3")) +
                "'"),
            "0");
  // The address bucket gave no token to the refused purchase either (all or nothing): 48 left.
  auto bob = Buy("bob", "r1", {{"a:10.0.0.1", 1.0 / 3600, 50}});
  ASSERT_EQ(bob.outcome, Outcome::kAccepted);
  EXPECT_EQ(bob.rate->remaining, 47);
  // A replay draws a token like any request: alice's bucket is empty, so even her first
  // request is refused now, and answers its stored result once she has a token again.
  EXPECT_EQ(Buy("alice", "r1", alice).outcome, Outcome::kRateLimited);
  EXPECT_EQ(Buy("alice", "r1", {}).outcome, Outcome::kAccepted);
  // One FCALL per purchase: no separate limiter call.
  EXPECT_NE(Cli("INFO commandstats").find("cmdstat_fcall:calls=6,"), std::string::npos)
      << Cli("INFO commandstats");
  // The buckets are fields of one hash in the sale's slot (safe on Redis Cluster): alice's
  // holds her theoretical arrival time, two intervals of an hour ahead of now (Redis clock).
  EXPECT_EQ(redis::Keys::HashTag(redis::Keys::RateBuckets(sale_.id)), "rl");
  EXPECT_EQ(Cli("HLEN " + Buckets()), "2");  // u:alice, a:10.0.0.1 (bob drew only the address)
  const long long tat = std::atoll(Cli("HGET " + Buckets() + " u:alice").c_str());
  const long long now_us =
      std::chrono::duration_cast<microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  EXPECT_GT(tat - now_us, 7'100'000'000LL);
  EXPECT_LE(tat - now_us, 7'200'000'000LL);
}

TEST_F(RedisReserveBucketsTest, BucketsAreSoftStateARestartFromTheAofRefillsThem) {
  // The buckets' writes are not propagated (redis.set_repl): neither the AOF nor a replica
  // has them. The reservation's own writes are propagated as before.
  const std::vector<domain::RateBucket> carol{{"u:carol", 1.0 / 3600, 2}};
  ASSERT_EQ(Buy("carol", "r1", carol).outcome, Outcome::kAccepted);
  ASSERT_EQ(Buy("carol", "r2", carol).outcome, Outcome::kAccepted);
  ASSERT_EQ(Buy("carol", "r3", carol).outcome, Outcome::kRateLimited);
  std::promise<domain::Result<ports::RateVerdict>> admitted;
  redis::RedisRateLimiter limiter(server_.Options());
  limiter.Admit({{"u:carol", 1.0 / 3600, 1}},
                [&](domain::Result<ports::RateVerdict> v) { admitted.set_value(std::move(v)); });
  auto verdict = admitted.get_future().get();
  ASSERT_TRUE(verdict.ok());
  ASSERT_TRUE(verdict->allowed);
  ASSERT_EQ(Cli("EXISTS 'fs:{~rl}:u:carol'"), "1");
  ASSERT_EQ(Cli("HEXISTS " + Buckets() + " u:carol"), "1");

  server_.Stop();  // SIGTERM: the AOF is flushed; the restart replays it
  server_.Start();
  EXPECT_EQ(Cli("EXISTS " + Buckets()), "0");
  EXPECT_EQ(Cli("EXISTS 'fs:{~rl}:u:carol'"), "0");
  EXPECT_EQ(Cli("GET '" + redis::Keys::Stock(sale_.id, MakeId<domain::ItemId>("item-1")) + "'"),
            "8");
  EXPECT_EQ(Cli("HGET '" + redis::Keys::Bought(sale_.id) + "' carol"), "2");
  EXPECT_EQ(Cli("XLEN '" + redis::Keys::Orders(sale_.id) + "'"), "2");
  // Carol's bucket is full again: her next purchase passes (once the store has reconnected).
  domain::PurchaseReply again;
  for (int i = 0; i < 100; ++i) {
    again = Buy("carol", "r4", carol);
    if (again.outcome != Outcome::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(again.outcome, Outcome::kAccepted) << again.detail;
  ASSERT_TRUE(again.rate.has_value());
  EXPECT_EQ(again.rate->remaining, 1);
}

TEST_F(RedisReserveBucketsTest, MoreThanTwoBucketsAreAnInternalErrorAndWriteNothing) {
  // A purchase has a user and an address bucket; the function is written for at most two.
  auto reply = Buy("frank", "r1", {{"u:frank", 1, 5}, {"a:10.0.0.2", 1, 5}, {"x:more", 1, 5}});
  EXPECT_EQ(reply.outcome, Outcome::kInternal);
  EXPECT_EQ(Cli("EXISTS " + Buckets()), "0");
  EXPECT_EQ(Cli("XLEN '" + redis::Keys::Orders(sale_.id) + "'"), "0");
  std::promise<domain::Result<ports::RateVerdict>> admitted;
  redis::RedisRateLimiter limiter(server_.Options());
  limiter.Admit({{"u:frank", 1, 5}, {"a:10.0.0.2", 1, 5}, {"x:more", 1, 5}},
                [&](domain::Result<ports::RateVerdict> v) { admitted.set_value(std::move(v)); });
  auto verdict = admitted.get_future().get();
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().outcome, Outcome::kInternal);
  EXPECT_EQ(Cli("KEYS 'fs:{~rl}:*'"), "");
}

TEST_F(RedisReserveBucketsTest, AnUnknownSaleDrawsNoBucketAndLeavesNothing) {
  domain::Reservation r{MakeRequest("no-such-sale", "item-1", "erin", "r1"),
                        MakeId<domain::OrderId>("O-unknown"),
                        core::SystemClock().Now(),
                        {{"u:erin", 1, 1}}};
  EXPECT_EQ(ReserveSync(store_, r).outcome, Outcome::kUnknownItem);
  EXPECT_EQ(Cli("KEYS '*no-such-sale*'"), "");
}

TEST_F(RedisReserveBucketsTest, ARefusedPurchasePassesOnceItsRetryAfterHasPassed) {
  const std::vector<domain::RateBucket> one_per_second{{"u:carol", 1, 1}};
  ASSERT_EQ(Buy("carol", "r1", one_per_second).outcome, Outcome::kAccepted);
  auto refused = Buy("carol", "r2", one_per_second);
  ASSERT_EQ(refused.outcome, Outcome::kRateLimited);
  EXPECT_GT(refused.rate->retry_after, microseconds(0));
  EXPECT_LE(refused.rate->retry_after, std::chrono::seconds(1));
  std::this_thread::sleep_for(refused.rate->retry_after + std::chrono::milliseconds(5));
  auto later = Buy("carol", "r2", one_per_second);
  EXPECT_EQ(later.outcome, Outcome::kAccepted) << later.detail;
  EXPECT_EQ(Cli("XLEN '" + redis::Keys::Orders(sale_.id) + "'"), "2");
}

TEST_F(RedisReserveBucketsTest, AReservationWithoutBucketsHasNoVerdict) {
  auto reply = Buy("dave", "r1", {});
  EXPECT_EQ(reply.outcome, Outcome::kAccepted);
  EXPECT_FALSE(reply.rate.has_value());
  EXPECT_EQ(Cli("EXISTS " + Buckets()), "0");
}

}  // namespace
}  // namespace flashsale::testing
