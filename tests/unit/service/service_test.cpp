// flashsale::service::Service, the one object an embedding program needs, on the embedded
// memory adapters: every call, its errors, and the stop.
#include "flashsale/service/service.hpp"

#include <gtest/gtest.h>

#include "flashsale/ports/logger.hpp"

namespace flashsale::service {
namespace {

class QuietLogger final : public ports::Logger {
 public:
  void Log(ports::LogLevel, std::string_view, std::span<const ports::LogField>) override {}
};

ServiceOptions Demo(std::int64_t stock) {
  ServiceOptions options;
  options.demo_stock = stock;
  options.demo_per_user_limit = 2;
  return options;
}

TEST(ServiceTest, PurchaseReplayLimitSoldOutAndOrderLookup) {
  QuietLogger log;
  auto shop = Service::Create(Demo(3), log);
  ASSERT_NE(shop, nullptr);
  shop->Start();
  auto first =
      shop->Purchase({.item_id = "iphone-15", .user_id = "a", .request_id = "r1", .quantity = 1});
  ASSERT_EQ(first.outcome, domain::Outcome::kAccepted) << first.detail;
  EXPECT_EQ(first.remaining, 2);
  auto replay =
      shop->Purchase({.item_id = "iphone-15", .user_id = "a", .request_id = "r1", .quantity = 1});
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.order_id, first.order_id);
  EXPECT_EQ(
      shop->Purchase({.item_id = "iphone-15", .user_id = "a", .request_id = "r2", .quantity = 2})
          .outcome,
      domain::Outcome::kUserLimitReached);
  EXPECT_EQ(
      shop->Purchase({.item_id = "iphone-15", .user_id = "b", .request_id = "r3", .quantity = 2})
          .outcome,
      domain::Outcome::kAccepted);
  EXPECT_EQ(
      shop->Purchase({.item_id = "iphone-15", .user_id = "c", .request_id = "r4", .quantity = 1})
          .outcome,
      domain::Outcome::kSoldOut);
  // Bad input is refused, never thrown.
  EXPECT_EQ(
      shop->Purchase({.item_id = "iphone-15", .user_id = "", .request_id = "r5", .quantity = 1})
          .outcome,
      domain::Outcome::kInvalidRequest);
  EXPECT_EQ(shop->Purchase({.item_id = "nope", .user_id = "d", .request_id = "r6", .quantity = 1})
                .outcome,
            domain::Outcome::kUnknownItem);
  ASSERT_TRUE(shop->Stop());
  auto order = shop->GetOrder(first.order_id->str());
  ASSERT_TRUE(order) << order.error().detail;
  EXPECT_EQ(order->status, domain::OrderStatus::kConfirmed);
  EXPECT_FALSE(shop->GetOrder("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  EXPECT_TRUE(shop->Stop());  // idempotent
}

TEST(ServiceTest, CheckoutThenCompleteAndTheirErrors) {
  QuietLogger log;
  auto shop = Service::Create(Demo(1), log);
  ASSERT_NE(shop, nullptr);
  shop->Start();
  auto hold = shop->Checkout({.item_id = "iphone-15", .user_id = "a", .request_id = "c1"});
  ASSERT_EQ(hold.outcome, domain::Outcome::kAccepted) << hold.detail;
  EXPECT_EQ(shop->Checkout({.item_id = "iphone-15", .user_id = "b", .request_id = "c2"}).outcome,
            domain::Outcome::kSoldOut);  // the only unit is held
  auto done = shop->Complete({.code = hold.code->str(), .request_id = ""});
  ASSERT_EQ(done.outcome, domain::Outcome::kAccepted) << done.detail;
  auto again = shop->Complete({.code = hold.code->str(), .request_id = ""});
  EXPECT_NE(again.outcome, domain::Outcome::kAccepted);
  EXPECT_EQ(shop->Complete({.code = "CHK_nope", .request_id = ""}).outcome,
            domain::Outcome::kInvalidRequest);
  EXPECT_TRUE(shop->Stop());
}

TEST(ServiceTest, ABadBackendUrlIsRefusedAtCreate) {
  QuietLogger log;
  ServiceOptions options;
  options.redis_url = "http://not-redis";
  EXPECT_EQ(Service::Create(options, log), nullptr);
}

}  // namespace
}  // namespace flashsale::service
