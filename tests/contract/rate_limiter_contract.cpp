#include "rate_limiter_contract.hpp"

#include <atomic>
#include <future>
#include <random>
#include <thread>

namespace flashsale::testing {

using std::chrono::microseconds;
using std::chrono::milliseconds;

ports::RateVerdict RateLimiterContract::Admit(std::vector<ports::RateBucket> buckets,
                                              ports::RateLimiter* limiter) {
  std::promise<domain::Result<ports::RateVerdict>> answer;
  (limiter ? *limiter : harness_->limiter())
      .Admit(std::move(buckets),
             [&answer](domain::Result<ports::RateVerdict> v) { answer.set_value(std::move(v)); });
  auto verdict = answer.get_future().get();
  EXPECT_TRUE(verdict.ok()) << verdict.error().detail;
  return verdict ? *verdict : ports::RateVerdict{};
}

std::string RateLimiterContract::Key(const std::string& name) {
  static std::atomic<int> counter{0};
  static const auto run = std::random_device{}();
  return name + "-" + std::to_string(run % 1'000'000) + "-" + std::to_string(++counter);
}

TEST_P(RateLimiterContract, BurstThenRefusedUntilATokenComesBack) {
  // A token every 200 ms, 3 at once (wide margins: a real clock runs on during the test).
  const ports::RateBucket bucket{Key("u"), 5, 3};
  for (std::int64_t left : {2, 1, 0}) {
    auto v = Admit({bucket});
    EXPECT_TRUE(v.allowed);
    EXPECT_EQ(v.remaining, left);
    EXPECT_EQ(v.binding, 0U);
    EXPECT_GT(v.reset, microseconds(0));
    EXPECT_LE(v.reset, milliseconds(600));
  }
  auto refused = Admit({bucket});
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_GT(refused.retry_after, microseconds(0));
  EXPECT_LE(refused.retry_after, milliseconds(200));
  EXPECT_FALSE(Admit({bucket}).allowed);  // a refusal takes nothing, and gives nothing back

  harness_->Pass(std::chrono::duration_cast<milliseconds>(refused.retry_after) + milliseconds(5));
  auto again = Admit({bucket});
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 0);
  EXPECT_FALSE(Admit({bucket}).allowed);
  harness_->Pass(milliseconds(620));  // full again
  EXPECT_EQ(Admit({bucket}).remaining, 2);
}

TEST_P(RateLimiterContract, NoBucketIsAllowed) {
  auto v = Admit({});
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.retry_after, microseconds(0));
}

TEST_P(RateLimiterContract, AllOrNothingAcrossBuckets) {
  const ports::RateBucket user{Key("u"), 1, 5};
  const ports::RateBucket address{Key("a"), 1, 1};
  auto first = Admit({user, address});
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.binding, 1U);  // the address bucket has fewer tokens left
  EXPECT_EQ(first.remaining, 0);
  auto second = Admit({user, address});
  EXPECT_FALSE(second.allowed);
  EXPECT_EQ(second.binding, 1U);
  EXPECT_GT(second.retry_after, milliseconds(900));
  // The refusal took nothing from the user's bucket: 4 left after the first request.
  auto alone = Admit({user});
  EXPECT_TRUE(alone.allowed);
  EXPECT_EQ(alone.remaining, 3);
}

TEST_P(RateLimiterContract, BucketsAreIndependentAndSharedByInstances) {
  const ports::RateBucket a{Key("a"), 1, 1};
  const ports::RateBucket b{Key("b"), 1, 1};
  EXPECT_TRUE(Admit({a}).allowed);
  EXPECT_TRUE(Admit({b}).allowed);
  EXPECT_FALSE(Admit({a}).allowed);
  if (ports::RateLimiter* other = harness_->other()) {
    EXPECT_FALSE(Admit({b}, other).allowed);  // the other instance sees the same bucket
    const ports::RateBucket c{Key("c"), 1, 2};
    EXPECT_TRUE(Admit({c}, other).allowed);
    EXPECT_TRUE(Admit({c}).allowed);
    EXPECT_FALSE(Admit({c}, other).allowed);
  }
}

TEST_P(RateLimiterContract, ConcurrentCallersNeverGetMoreThanTheBurst) {
  const ports::RateBucket bucket{Key("hot"), 0.001, 50};  // no refill during the test
  std::atomic<int> allowed{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 25; ++i) allowed += Admit({bucket}).allowed ? 1 : 0;
    });
  }
  for (auto& c : callers) c.join();
  EXPECT_EQ(allowed.load(), 50);
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RateLimiterContract);

}  // namespace flashsale::testing
