#include "flashsale/core/place_purchase.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "builders.hpp"
#include "flashsale/memory/manual_clock.hpp"
#include "mock_ports.hpp"

namespace flashsale::core {
namespace {

using ::testing::_;
using testing::MakeId;
using ::testing::NiceMock;
using ::testing::Return;
using ::testing::SaveArg;
using ::testing::StrictMock;

domain::PurchaseInput Valid() {
  return domain::PurchaseInput{"sale-1", "item-1", "alice", "req-1", 2};
}

domain::PurchaseReply Reply(domain::Outcome outcome, std::uint64_t version = 0) {
  domain::PurchaseReply reply;
  reply.outcome = outcome;
  reply.buyers_version = version;
  return reply;
}

class PlacePurchaseTest : public ::testing::Test {
 protected:
  PlacePurchaseTest() {
    EXPECT_CALL(store_, OnUnitsReturned(_)).WillOnce(SaveArg<0>(&units_returned_));
  }

  PlacePurchase Make(PlacePurchaseOptions options = {}) {
    return PlacePurchase(store_, ids_, clock_, metrics_, options);
  }

  /// Runs Execute and returns the reply it completed with (inline, as the mock answers).
  domain::PurchaseReply Run(PlacePurchase& use_case, const domain::PurchaseInput& input) {
    std::optional<domain::PurchaseReply> got;
    use_case.Execute(input, [&](domain::PurchaseReply reply) { got = std::move(reply); });
    EXPECT_TRUE(got.has_value()) << "Execute did not complete";
    return got.value_or(domain::PurchaseReply{});
  }

  /// The store answers `reply` to the next Reserve.
  void StoreAnswers(domain::PurchaseReply reply) {
    EXPECT_CALL(store_, Reserve(_, _))
        .WillOnce([reply](const domain::Reservation&, ports::ReserveDone done) { done(reply); });
  }

  StrictMock<testing::MockStockStore> store_;
  testing::SequentialIds ids_;
  memory::ManualClock clock_;
  NiceMock<testing::MockMetrics> metrics_;
  ports::UnitsReturnedListener units_returned_;
};

struct BadInput {
  const char* name;
  domain::PurchaseInput input;
  const char* field;
};

void PrintTo(const BadInput& bad, std::ostream* os) { *os << bad.name; }

class PlacePurchaseRejectsTest : public PlacePurchaseTest,
                                 public ::testing::WithParamInterface<BadInput> {};

TEST_F(PlacePurchaseTest, RateBucketsForAStoreThatDoesNotDrawThemAreAnInternalError) {
  auto use_case = Make();
  EXPECT_CALL(store_, DrawsRateBuckets()).WillOnce(Return(false));
  EXPECT_CALL(store_, Reserve(_, _)).Times(0);
  domain::PurchaseInput input = Valid();
  input.rate_buckets.push_back({"u:alice", 5, 10});
  EXPECT_EQ(Run(use_case, input).outcome, domain::Outcome::kInternal);
}

TEST_F(PlacePurchaseTest, RateBucketsRideTheReservation) {
  auto use_case = Make();
  EXPECT_CALL(store_, DrawsRateBuckets()).WillOnce(Return(true));
  std::optional<domain::Reservation> seen;
  EXPECT_CALL(store_, Reserve(_, _))
      .WillOnce([&](const domain::Reservation& r, ports::ReserveDone done) {
        seen = r;
        done(Reply(domain::Outcome::kAccepted));
      });
  domain::PurchaseInput input = Valid();
  input.rate_buckets.push_back({"u:alice", 5, 10});
  EXPECT_EQ(Run(use_case, input).outcome, domain::Outcome::kAccepted);
  ASSERT_TRUE(seen.has_value());
  ASSERT_EQ(seen->rate_buckets.size(), 1U);
  EXPECT_EQ(seen->rate_buckets[0].key, "u:alice");
}

TEST_P(PlacePurchaseRejectsTest, InvalidInputNeverReachesTheStore) {
  auto use_case = Make();
  EXPECT_CALL(store_, Reserve(_, _)).Times(0);
  EXPECT_CALL(metrics_, PurchaseAnswered(domain::Outcome::kInvalidRequest, _));
  domain::PurchaseReply reply = Run(use_case, GetParam().input);
  EXPECT_EQ(reply.outcome, domain::Outcome::kInvalidRequest);
  EXPECT_NE(reply.detail.find(GetParam().field), std::string::npos) << reply.detail;
  EXPECT_FALSE(reply.order_id.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Table, PlacePurchaseRejectsTest,
    ::testing::Values(
        BadInput{"EmptySale", {"", "item-1", "alice", "r", 1}, "sale_id"},
        BadInput{"EmptyItem", {"s", "", "alice", "r", 1}, "item_id"},
        BadInput{"EmptyUser", {"s", "i", "", "r", 1}, "user_id"},
        BadInput{"EmptyRequest", {"s", "i", "u", "", 1}, "request_id"},
        BadInput{"LongUser", {"s", "i", std::string(65, 'u'), "r", 1}, "user_id"},
        BadInput{"LongRequest", {"s", "i", "u", std::string(65, 'r'), 1}, "request_id"},
        BadInput{"OddCharsetUser", {"s", "i", "al ice", "r", 1}, "user_id"},
        BadInput{"InjectionItem", {"s", "i'; DROP TABLE orders;--", "u", "r", 1}, "item_id"},
        BadInput{"UnicodeUser", {"s", "i", "\xe2\x98\x83", "r", 1}, "user_id"},
        BadInput{"BraceSale", {"{s}", "i", "u", "r", 1}, "sale_id"},
        BadInput{"ZeroQuantity", {"s", "i", "u", "r", 0}, "quantity"},
        BadInput{"NegativeQuantity", {"s", "i", "u", "r", -1}, "quantity"},
        BadInput{"HugeQuantity", {"s", "i", "u", "r", std::int64_t{1} << 40}, "quantity"},
        BadInput{"OverMaxPerOrder", {"s", "i", "u", "r", 101}, "quantity"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(PlacePurchaseTest, PassesTheValidatedRequestWithAFreshIdAndTheClock) {
  auto use_case = Make();
  domain::Reservation seen{
      testing::MakeRequest("x", "x", "x", "x"), MakeId<domain::OrderId>("x"), {}};
  EXPECT_CALL(store_, Reserve(_, _))
      .WillOnce([&](const domain::Reservation& r, ports::ReserveDone done) {
        seen = r;
        domain::PurchaseReply reply = Reply(domain::Outcome::kAccepted);
        reply.order_id = r.order_id;
        reply.remaining = 98;
        done(reply);
      });
  EXPECT_CALL(metrics_, PurchaseAnswered(domain::Outcome::kAccepted, _));
  domain::PurchaseReply reply = Run(use_case, Valid());
  EXPECT_EQ(reply.outcome, domain::Outcome::kAccepted);
  EXPECT_EQ(reply.order_id->str(), "ORDER-1");
  EXPECT_EQ(reply.remaining, 98);
  EXPECT_EQ(seen.request.sale.str(), "sale-1");
  EXPECT_EQ(seen.request.item.str(), "item-1");
  EXPECT_EQ(seen.request.user.str(), "alice");
  EXPECT_EQ(seen.request.request.str(), "req-1");
  EXPECT_EQ(seen.request.quantity.value(), 2);
  EXPECT_EQ(seen.order_id.str(), "ORDER-1");
  EXPECT_EQ(seen.now, clock_.Now());
}

class PlacePurchaseOutcomeTest : public PlacePurchaseTest,
                                 public ::testing::WithParamInterface<domain::Outcome> {};

TEST_P(PlacePurchaseOutcomeTest, StoreAnswerReachesTheCallerAndMetrics) {
  auto use_case = Make(PlacePurchaseOptions{.sold_out_fast_path = false});
  domain::PurchaseReply answer = Reply(GetParam());
  answer.detail = "from store";
  StoreAnswers(answer);
  EXPECT_CALL(metrics_, PurchaseAnswered(GetParam(), _));
  domain::PurchaseReply reply = Run(use_case, Valid());
  EXPECT_EQ(reply.outcome, GetParam());
  EXPECT_EQ(reply.detail, "from store");
}

INSTANTIATE_TEST_SUITE_P(
    Outcomes, PlacePurchaseOutcomeTest,
    ::testing::Values(domain::Outcome::kSoldOut, domain::Outcome::kUserLimitReached,
                      domain::Outcome::kSaleNotActive, domain::Outcome::kUnknownItem,
                      domain::Outcome::kDuplicateRequest, domain::Outcome::kUnavailable,
                      domain::Outcome::kInternal),
    [](const auto& param_info) { return std::string(domain::ToString(param_info.param)); });

TEST_F(PlacePurchaseTest, ReplayedAnswerIsPassedThroughUnchanged) {
  auto use_case = Make();
  domain::PurchaseReply stored = Reply(domain::Outcome::kAccepted);
  stored.order_id = MakeId<domain::OrderId>("FIRST");
  stored.remaining = 7;
  stored.replayed = true;
  StoreAnswers(stored);
  domain::PurchaseReply reply = Run(use_case, Valid());
  EXPECT_TRUE(reply.replayed);
  EXPECT_EQ(reply.order_id->str(), "FIRST");
  EXPECT_EQ(reply.remaining, 7);
}

TEST_F(PlacePurchaseTest, DrainingAnswersUnavailableWithoutTouchingTheStore) {
  auto use_case = Make();
  use_case.SetAccepting(false);
  EXPECT_CALL(store_, Reserve(_, _)).Times(0);
  EXPECT_EQ(Run(use_case, Valid()).outcome, domain::Outcome::kUnavailable);
  use_case.SetAccepting(true);
  StoreAnswers(Reply(domain::Outcome::kSoldOut));
  EXPECT_EQ(Run(use_case, Valid()).outcome, domain::Outcome::kSoldOut);
}

class SoldOutFastPathTest : public PlacePurchaseTest {
 protected:
  /// Sells out with buyer-set version 7 and answers the buyer fetch with `buyers`.
  void SellOut(PlacePurchase& use_case, std::vector<std::string> buyers) {
    StoreAnswers(Reply(domain::Outcome::kSoldOut, 7));
    EXPECT_CALL(store_, FetchBuyers(_, _))
        .WillOnce([buyers](const domain::SaleId&, ports::BuyersDone done) {
          done(ports::BuyerSet{7, buyers});
        });
    ASSERT_EQ(Run(use_case, Valid()).outcome, domain::Outcome::kSoldOut);
    ::testing::Mock::VerifyAndClearExpectations(&store_);
  }
  domain::PurchaseInput From(std::string user) {
    domain::PurchaseInput input = Valid();
    input.user_id = std::move(user);
    return input;
  }
};

TEST_F(SoldOutFastPathTest, NonBuyersAreAnsweredLocallyBuyersGoToTheStore) {
  auto use_case = Make();
  SellOut(use_case, {"alice"});
  EXPECT_CALL(store_, Reserve(_, _)).Times(0);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(Run(use_case, From("bob")).outcome, domain::Outcome::kSoldOut);
  ::testing::Mock::VerifyAndClearExpectations(&store_);

  // alice holds units: she may be retrying an accepted request, so the store must answer.
  domain::PurchaseReply replay = Reply(domain::Outcome::kAccepted);
  replay.replayed = true;
  replay.order_id = MakeId<domain::OrderId>("FIRST");
  StoreAnswers(replay);
  EXPECT_EQ(Run(use_case, From("alice")).outcome, domain::Outcome::kAccepted);
}

TEST_F(SoldOutFastPathTest, FlagExpiresAfterTheStalenessBound) {
  auto use_case =
      Make(PlacePurchaseOptions{.sold_out_max_staleness = std::chrono::milliseconds(30)});
  SellOut(use_case, {});
  EXPECT_CALL(store_, Reserve(_, _)).Times(0);
  EXPECT_EQ(Run(use_case, From("bob")).outcome, domain::Outcome::kSoldOut);
  ::testing::Mock::VerifyAndClearExpectations(&store_);
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  domain::PurchaseReply accepted = Reply(domain::Outcome::kAccepted);
  accepted.order_id = MakeId<domain::OrderId>("NEW");
  StoreAnswers(accepted);
  EXPECT_EQ(Run(use_case, From("bob")).outcome, domain::Outcome::kAccepted);
}

TEST_F(SoldOutFastPathTest, UnitsReturnedClearsTheFlagAtOnce) {
  auto use_case = Make();
  SellOut(use_case, {});
  ASSERT_TRUE(units_returned_);
  units_returned_(MakeId<domain::SaleId>("sale-1"), MakeId<domain::ItemId>("item-1"));
  domain::PurchaseReply accepted = Reply(domain::Outcome::kAccepted);
  accepted.order_id = MakeId<domain::OrderId>("NEW");
  StoreAnswers(accepted);
  EXPECT_EQ(Run(use_case, From("bob")).outcome, domain::Outcome::kAccepted);
}

TEST_F(SoldOutFastPathTest, OtherItemsAreNotAffected) {
  auto use_case = Make();
  SellOut(use_case, {});
  domain::PurchaseInput other = From("bob");
  other.item_id = "item-2";
  StoreAnswers(Reply(domain::Outcome::kUserLimitReached));
  EXPECT_EQ(Run(use_case, other).outcome, domain::Outcome::kUserLimitReached);
}

TEST_F(SoldOutFastPathTest, StaleBuyerSetDisablesTheFastPath) {
  auto use_case = Make();
  StoreAnswers(Reply(domain::Outcome::kSoldOut, 7));
  EXPECT_CALL(store_, FetchBuyers(_, _))
      .WillOnce([](const domain::SaleId&, ports::BuyersDone done) {
        done(ports::BuyerSet{8, {}});  // the set moved on since the SoldOut answer
      });
  ASSERT_EQ(Run(use_case, Valid()).outcome, domain::Outcome::kSoldOut);
  ::testing::Mock::VerifyAndClearExpectations(&store_);
  StoreAnswers(Reply(domain::Outcome::kSoldOut, 8));  // goes to the store; now versions agree
  EXPECT_EQ(Run(use_case, From("bob")).outcome, domain::Outcome::kSoldOut);
  EXPECT_CALL(store_, Reserve(_, _)).Times(0);
  EXPECT_EQ(Run(use_case, From("carol")).outcome, domain::Outcome::kSoldOut);
}

TEST_F(SoldOutFastPathTest, FailedBuyerFetchKeepsGoingToTheStore) {
  auto use_case = Make();
  StoreAnswers(Reply(domain::Outcome::kSoldOut, 7));
  EXPECT_CALL(store_, FetchBuyers(_, _))
      .WillOnce([](const domain::SaleId&, ports::BuyersDone done) {
        done(domain::Error{domain::Outcome::kUnavailable, "down"});
      });
  ASSERT_EQ(Run(use_case, Valid()).outcome, domain::Outcome::kSoldOut);
  ::testing::Mock::VerifyAndClearExpectations(&store_);
  StoreAnswers(Reply(domain::Outcome::kSoldOut, 7));
  EXPECT_CALL(store_, FetchBuyers(_, _))
      .WillOnce([](const domain::SaleId&, ports::BuyersDone done) {
        done(ports::BuyerSet{7, {}});
      });
  EXPECT_EQ(Run(use_case, From("bob")).outcome, domain::Outcome::kSoldOut);
}

TEST_F(SoldOutFastPathTest, DisabledFastPathAlwaysAsksTheStore) {
  auto use_case = Make(PlacePurchaseOptions{.sold_out_fast_path = false});
  EXPECT_CALL(store_, FetchBuyers(_, _)).Times(0);
  EXPECT_CALL(store_, Reserve(_, _))
      .Times(3)
      .WillRepeatedly([](const domain::Reservation&, ports::ReserveDone done) {
        done(Reply(domain::Outcome::kSoldOut, 7));
      });
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Run(use_case, From("bob")).outcome, domain::Outcome::kSoldOut);
}

}  // namespace
}  // namespace flashsale::core
