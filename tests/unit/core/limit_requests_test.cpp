#include "flashsale/core/limit_requests.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "flashsale/memory/manual_clock.hpp"
#include "flashsale/memory/memory_rate_limiter.hpp"
#include "rate_limiter_contract.hpp"

namespace flashsale::core {

using std::chrono::microseconds;
using std::chrono::milliseconds;

class MemoryLimiterHarness final : public flashsale::testing::RateLimiterHarness {
 public:
  ports::RateLimiter& limiter() override { return limiter_; }
  void Pass(milliseconds d) override { clock_.Advance(d); }

 private:
  memory::ManualClock clock_;
  memory::MemoryRateLimiter limiter_{clock_};
};

}  // namespace flashsale::core

namespace flashsale::testing {
INSTANTIATE_TEST_SUITE_P(Memory, RateLimiterContract,
                         ::testing::Values(RateLimiterFactory{
                             "memory",
                             [] { return std::make_unique<core::MemoryLimiterHarness>(); }}));
}  // namespace flashsale::testing

namespace flashsale::core {
namespace {

TEST(RatePolicyTest, ParsesRatesUnitsAndBursts) {
  auto p = RatePolicy::Parse("20/s:40");
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(p->per_second, 20);
  EXPECT_EQ(p->burst, 40);
  EXPECT_EQ(p->WindowSeconds(), 2);
  p = RatePolicy::Parse("600/m");
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(p->per_second, 10);
  EXPECT_EQ(p->burst, 600);
  EXPECT_EQ(p->WindowSeconds(), 60);
  p = RatePolicy::Parse("1/h:10");
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(p->per_second, 1.0 / 3600);
  EXPECT_EQ(p->burst, 10);
  EXPECT_EQ(RatePolicy::Parse("0.5/s")->burst, 1);
  EXPECT_EQ(RatePolicy::Parse("2.5/s")->burst, 3);
}

TEST(RatePolicyTest, RefusesWhatIsNotARate) {
  for (const char* bad :
       {"", "20", "20/", "20/d", "20/s:", "20/s:0", "20/s:1.5", "0/s", "-1/s", "/s", "20/s40",
        "x/s", "1e3/s", "20/sec", "20/s:40:1", "2000000/s", "20/s:2000000", " 20/s"}) {
    auto p = RatePolicy::Parse(bad);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) {
      EXPECT_EQ(p.error().outcome, domain::Outcome::kInvalidRequest);
    }
  }
}

class FailingLimiter final : public ports::RateLimiter {
 public:
  void Admit(std::vector<ports::RateBucket> buckets, ports::AdmitDone done) override {
    ++calls;
    last = std::move(buckets);
    done(domain::Error{domain::Outcome::kUnavailable, "down"});
  }
  int calls = 0;
  std::vector<ports::RateBucket> last;
};

Admission AdmitNow(LimitRequests& limits, std::string_view user, std::string_view address) {
  Admission out;
  bool called = false;
  limits.Admit(user, address, [&](Admission a) {
    out = a;
    called = true;
  });
  EXPECT_TRUE(called);  // memory and the failing fake complete inline
  return out;
}

TEST(LimitRequestsTest, OffMeansNoLimiterCallAndNoHeaders) {
  FailingLimiter limiter;
  LimitRequests limits(limiter, {});
  EXPECT_FALSE(limits.enabled());
  auto a = AdmitNow(limits, "alice", "10.0.0.1");
  EXPECT_TRUE(a.allowed);
  EXPECT_FALSE(a.limited);
  EXPECT_EQ(limiter.calls, 0);
}

TEST(LimitRequestsTest, KeysOnValidUsersAndAddressesAndFailsOpen) {
  FailingLimiter limiter;
  LimitRequests limits(limiter, {*RatePolicy::Parse("5/s:10"), *RatePolicy::Parse("50/s:100")});
  auto a = AdmitNow(limits, "alice", "10.0.0.1");
  EXPECT_TRUE(a.allowed);  // the limiter is down: let through
  EXPECT_FALSE(a.limited);
  ASSERT_EQ(limiter.last.size(), 2U);
  EXPECT_EQ(limiter.last[0].key, "u:alice");
  EXPECT_EQ(limiter.last[0].burst, 10);
  EXPECT_EQ(limiter.last[1].key, "a:10.0.0.1");
  EXPECT_DOUBLE_EQ(limiter.last[1].per_second, 50);
  AdmitNow(limits, "not a valid id!", "10.0.0.1");  // no user bucket for an invalid id
  ASSERT_EQ(limiter.last.size(), 1U);
  EXPECT_EQ(limiter.last[0].key, "a:10.0.0.1");
  limiter.calls = 0;
  AdmitNow(limits, "", "");
  EXPECT_EQ(limiter.calls, 0);  // nothing to key on
}

TEST(LimitRequestsTest, PerUserAndPerAddressBucketsOnTheMemoryLimiter) {
  memory::ManualClock clock;
  memory::MemoryRateLimiter limiter(clock);
  LimitRequests limits(limiter, {*RatePolicy::Parse("1/s:2"), *RatePolicy::Parse("1/s:3")});
  auto first = AdmitNow(limits, "alice", "10.0.0.1");
  EXPECT_TRUE(first.allowed);
  EXPECT_TRUE(first.limited);
  EXPECT_EQ(first.policy, "user");  // 1 left for alice, 2 for the address
  EXPECT_EQ(first.remaining, 1);
  EXPECT_EQ(first.rate.burst, 2);
  EXPECT_TRUE(AdmitNow(limits, "alice", "10.0.0.1").allowed);
  auto refused = AdmitNow(limits, "alice", "10.0.0.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.policy, "user");
  EXPECT_EQ(refused.retry_after, milliseconds(1000));
  // Bob shares the address, which has one token left.
  auto bob = AdmitNow(limits, "bob", "10.0.0.1");
  EXPECT_TRUE(bob.allowed);
  EXPECT_EQ(bob.policy, "ip");
  EXPECT_EQ(bob.remaining, 0);
  auto carol = AdmitNow(limits, "carol", "10.0.0.1");
  EXPECT_FALSE(carol.allowed);
  EXPECT_EQ(carol.policy, "ip");
  EXPECT_TRUE(AdmitNow(limits, "carol", "10.0.0.2").allowed);  // another address
  clock.Advance(milliseconds(1000));
  EXPECT_TRUE(AdmitNow(limits, "alice", "10.0.0.3").allowed);
}

TEST(MemoryRateLimiterTest, FullBucketsAreForgotten) {
  memory::ManualClock clock;
  memory::MemoryRateLimiter limiter(clock);
  LimitRequests limits(limiter, {*RatePolicy::Parse("10/s:1"), std::nullopt});
  for (int i = 0; i < 5000; ++i) AdmitNow(limits, "u" + std::to_string(i), "");
  EXPECT_EQ(limiter.size(), 5000U);
  clock.Advance(milliseconds(200));  // every bucket is full again
  for (int i = 0; i < 1024 * 16; ++i) AdmitNow(limits, "v" + std::to_string(i % 7), "");
  EXPECT_LT(limiter.size(), 200U);
}

}  // namespace
}  // namespace flashsale::core
