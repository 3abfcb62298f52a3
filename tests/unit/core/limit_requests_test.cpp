#include "flashsale/core/limit_requests.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "flashsale/core/place_purchase.hpp"
#include "flashsale/memory/manual_clock.hpp"
#include "flashsale/memory/memory_rate_limiter.hpp"
#include "mock_ports.hpp"
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

// LimitRequests::Purchase: a one-step purchase within the limits, with the buckets drawn by a
// separate Admit or, when the store draws them, riding the reservation.
class LimitedPurchaseTest : public ::testing::Test {
 protected:
  using Purchased = std::pair<Admission, std::optional<domain::PurchaseReply>>;

  Purchased Buy(LimitRequests& limits, std::string user, std::string_view address) {
    std::optional<Purchased> out;
    limits.Purchase(purchase_, domain::PurchaseInput{"sale-1", "item-1", std::move(user), "r1", 1},
                    address, [&](Admission admission, std::optional<domain::PurchaseReply> reply) {
                      out.emplace(admission, std::move(reply));
                    });
    EXPECT_TRUE(out.has_value()) << "Purchase did not complete";
    return out.value_or(Purchased{});
  }

  /// The store draws buckets and answers `reply` to every Reserve, recording the reservation.
  void StoreDrawsAndAnswers(domain::PurchaseReply reply) {
    ON_CALL(store_, DrawsRateBuckets()).WillByDefault(::testing::Return(true));
    ON_CALL(store_, Reserve(::testing::_, ::testing::_))
        .WillByDefault([this, reply](const domain::Reservation& r, ports::ReserveDone done) {
          reserved_.push_back(r);
          done(reply);
        });
  }

  ::testing::NiceMock<testing::MockStockStore> store_;
  testing::SequentialIds ids_;
  memory::ManualClock clock_;
  ::testing::NiceMock<testing::MockMetrics> metrics_;
  PlacePurchase purchase_{store_, ids_, clock_, metrics_};
  std::vector<domain::Reservation> reserved_;
};

domain::PurchaseReply Answer(domain::Outcome outcome, std::optional<ports::RateVerdict> rate) {
  domain::PurchaseReply reply;
  reply.outcome = outcome;
  reply.rate = rate;
  return reply;
}

TEST_F(LimitedPurchaseTest, BucketsRideTheReservationWithoutALimiterCall) {
  FailingLimiter limiter;
  LimitOptions options{*RatePolicy::Parse("5/s:10"), *RatePolicy::Parse("50/s:100")};
  options.buckets_in_reservation = true;
  LimitRequests limits(limiter, options);
  StoreDrawsAndAnswers(Answer(domain::Outcome::kAccepted,
                              ports::RateVerdict{true, 1, 7, microseconds(0), microseconds(40)}));
  auto [admission, reply] = Buy(limits, "alice", "10.0.0.1");
  EXPECT_EQ(limiter.calls, 0);
  ASSERT_EQ(reserved_.size(), 1U);
  ASSERT_EQ(reserved_[0].rate_buckets.size(), 2U);
  EXPECT_EQ(reserved_[0].rate_buckets[0].key, "u:alice");
  EXPECT_EQ(reserved_[0].rate_buckets[0].burst, 10);
  EXPECT_EQ(reserved_[0].rate_buckets[1].key, "a:10.0.0.1");
  EXPECT_DOUBLE_EQ(reserved_[0].rate_buckets[1].per_second, 50);
  EXPECT_TRUE(admission.allowed);
  EXPECT_TRUE(admission.limited);
  EXPECT_EQ(admission.policy, "ip");  // the verdict's binding bucket (1)
  EXPECT_EQ(admission.remaining, 7);
  EXPECT_EQ(admission.rate.burst, 100);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->outcome, domain::Outcome::kAccepted);
}

TEST_F(LimitedPurchaseTest, ARefusalByTheStoresBucketsIsARefusedAdmissionWithoutAReply) {
  FailingLimiter limiter;
  LimitOptions options{*RatePolicy::Parse("5/s:10"), std::nullopt};
  options.buckets_in_reservation = true;
  LimitRequests limits(limiter, options);
  StoreDrawsAndAnswers(
      Answer(domain::Outcome::kRateLimited,
             ports::RateVerdict{false, 0, 0, microseconds(150'000), microseconds(2'000'000)}));
  auto [admission, reply] = Buy(limits, "alice", "10.0.0.1");
  EXPECT_FALSE(admission.allowed);
  EXPECT_TRUE(admission.limited);
  EXPECT_EQ(admission.policy, "user");
  EXPECT_EQ(admission.retry_after, microseconds(150'000));
  EXPECT_EQ(admission.reset, microseconds(2'000'000));
  EXPECT_FALSE(reply.has_value());
  ASSERT_EQ(reserved_.size(), 1U);
  EXPECT_EQ(reserved_[0].rate_buckets.size(), 1U);  // no address limit configured
}

TEST_F(LimitedPurchaseTest, AnAnswerWithoutAVerdictIsNotLimited) {
  FailingLimiter limiter;
  LimitOptions options{*RatePolicy::Parse("5/s:10"), *RatePolicy::Parse("5/s:10")};
  options.buckets_in_reservation = true;
  LimitRequests limits(limiter, options);
  StoreDrawsAndAnswers(Answer(domain::Outcome::kUnavailable, std::nullopt));  // store down
  auto [admission, reply] = Buy(limits, "alice", "10.0.0.1");
  EXPECT_TRUE(admission.allowed);
  EXPECT_FALSE(admission.limited);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->outcome, domain::Outcome::kUnavailable);
  // Invalid input never reaches the store, draws nothing and is answered as such.
  auto [invalid_admission, invalid] = Buy(limits, "not a valid id!", "10.0.0.1");
  EXPECT_FALSE(invalid_admission.limited);
  ASSERT_TRUE(invalid.has_value());
  EXPECT_EQ(invalid->outcome, domain::Outcome::kInvalidRequest);
  EXPECT_EQ(reserved_.size(), 1U);
  EXPECT_EQ(limiter.calls, 0);
}

TEST_F(LimitedPurchaseTest, WithoutTheFoldTheLimiterAdmitsFirstAndARefusalNeverReachesTheStore) {
  memory::ManualClock clock;
  memory::MemoryRateLimiter limiter(clock);
  LimitRequests limits(limiter, {*RatePolicy::Parse("1/s:1"), std::nullopt});
  StoreDrawsAndAnswers(Answer(domain::Outcome::kAccepted, std::nullopt));
  auto [first_admission, first] = Buy(limits, "alice", "");
  EXPECT_TRUE(first_admission.allowed);
  EXPECT_TRUE(first_admission.limited);
  EXPECT_EQ(first_admission.remaining, 0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->outcome, domain::Outcome::kAccepted);
  ASSERT_EQ(reserved_.size(), 1U);
  EXPECT_TRUE(reserved_[0].rate_buckets.empty());
  auto [refused, none] = Buy(limits, "alice", "");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, microseconds(1'000'000));
  EXPECT_FALSE(none.has_value());
  EXPECT_EQ(reserved_.size(), 1U);  // the refused purchase never reached the store
}

TEST_F(LimitedPurchaseTest, LimitsOffIsThePurchaseAlone) {
  FailingLimiter limiter;
  LimitRequests limits(limiter, {});
  StoreDrawsAndAnswers(Answer(domain::Outcome::kAccepted, std::nullopt));
  auto [admission, reply] = Buy(limits, "alice", "10.0.0.1");
  EXPECT_TRUE(admission.allowed);
  EXPECT_FALSE(admission.limited);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->outcome, domain::Outcome::kAccepted);
  ASSERT_EQ(reserved_.size(), 1U);
  EXPECT_TRUE(reserved_[0].rate_buckets.empty());
  EXPECT_EQ(limiter.calls, 0);
}

}  // namespace
}  // namespace flashsale::core
