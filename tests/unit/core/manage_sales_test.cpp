#include "flashsale/core/manage_sales.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builders.hpp"
#include "flashsale/memory/manual_clock.hpp"
#include "flashsale/memory/memory_sale_repository.hpp"
#include "mock_ports.hpp"

namespace flashsale::core {
namespace {

using domain::Outcome;
using ::testing::_;
using ::testing::NiceMock;
using ::testing::Return;

class ManageSalesTest : public ::testing::Test {
 protected:
  const domain::TimePoint now_ = domain::FromUnixMillis(1'800'000'000'000);
  memory::ManualClock clock_{now_};
  memory::MemorySaleRepository sales_;
  NiceMock<testing::MockStockStore> store_;
  ManageSales manage_{sales_, store_, clock_};

  domain::Sale Open(const char* id) {
    return testing::MakeSale(id, 10, 2, now_ - std::chrono::minutes(1),
                             now_ + std::chrono::hours(1));
  }
};

TEST_F(ManageSalesTest, PublishRefusesAWindowThatHasEnded) {
  ON_CALL(store_, Load(_)).WillByDefault(Return(true));
  domain::Sale past = testing::MakeSale("past", 1, 1, now_ - std::chrono::hours(2),
                                        now_);  // ends exactly now: ended
  auto refused = manage_.Publish(past);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().outcome, Outcome::kInvalidRequest);
  EXPECT_EQ(refused.error().detail, "ends_at is in the past");
  EXPECT_FALSE(sales_.Find(past.id)->has_value());  // nothing written
  EXPECT_TRUE(manage_.Publish(Open("fresh")).ok());
  EXPECT_EQ(manage_.Publish(Open("fresh")).error().outcome, Outcome::kDuplicateRequest);
}

TEST_F(ManageSalesTest, APublishedSaleExistsEvenWhenTheStoreCannotLoadItYet) {
  EXPECT_CALL(store_, Load(_)).WillOnce(Return(domain::Error{Outcome::kUnavailable, "down"}));
  EXPECT_TRUE(manage_.Publish(Open("later")).ok());
  EXPECT_TRUE(sales_.Find(*domain::SaleId::Parse("later"))->has_value());
  // An invalid sale is refused before anything is written.
  domain::Sale bad = Open("bad");
  bad.items.clear();
  EXPECT_EQ(manage_.Publish(bad).error().outcome, Outcome::kInvalidRequest);
  EXPECT_FALSE(sales_.Find(bad.id)->has_value());
}

TEST_F(ManageSalesTest, CloseEndsTheStoreFirstThenTheRecord) {
  ON_CALL(store_, Load(_)).WillByDefault(Return(true));
  ASSERT_TRUE(manage_.Create(Open("live")).ok());
  EXPECT_CALL(store_, CloseSale(_, now_))
      .WillOnce(Return(domain::Error{Outcome::kUnavailable, "redis down"}))
      .WillOnce(Return(true))
      .WillOnce(Return(false));
  // The store can't be reached: the record is untouched, so the operator's retry does it all.
  auto failed = manage_.Close("live");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().outcome, Outcome::kUnavailable);
  EXPECT_EQ((*sales_.Find(*domain::SaleId::Parse("live")))->ends_at, now_ + std::chrono::hours(1));
  auto closed = manage_.Close("live");
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->ends_at, now_);
  auto again = manage_.Close("live");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ends_at, now_);
}

TEST_F(ManageSalesTest, CloseOfASaleTheStoreDoesNotHoldStillEndsTheRecord) {
  ASSERT_TRUE(sales_.Create(Open("stored-only")).ok());
  EXPECT_CALL(store_, CloseSale(_, _))
      .WillRepeatedly(Return(domain::Error{Outcome::kNotFound, "unknown sale"}));
  auto closed = manage_.Close("stored-only");
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->ends_at, now_);
  EXPECT_EQ(manage_.Close("nobody").error().outcome, Outcome::kNotFound);
  EXPECT_EQ(manage_.Close("bad id").error().outcome, Outcome::kInvalidRequest);
  EXPECT_EQ(manage_.Find("bad id").error().outcome, Outcome::kInvalidRequest);
  EXPECT_EQ(manage_.Find("nobody").error().outcome, Outcome::kNotFound);
  EXPECT_EQ(manage_.Find("stored-only")->ends_at, now_);
  EXPECT_EQ(manage_.List()->size(), 1U);
}

}  // namespace
}  // namespace flashsale::core
