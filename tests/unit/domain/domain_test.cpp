#include <gtest/gtest.h>

#include <set>
#include <string>

#include "builders.hpp"
#include "flashsale/core/ulid_generator.hpp"
#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/outcome.hpp"
#include "flashsale/domain/purchase.hpp"
#include "flashsale/domain/quantity.hpp"
#include "flashsale/domain/sale.hpp"
#include "flashsale/domain/text.hpp"
#include "flashsale/domain/time.hpp"
#include "flashsale/memory/manual_clock.hpp"

namespace flashsale::domain {
namespace {

using testing::MakeRequest;

class IdRejectsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(IdRejectsTest, RejectsWithFieldName) {
  auto id = UserId::Parse(GetParam());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().outcome, Outcome::kInvalidRequest);
  EXPECT_NE(id.error().detail.find("user_id"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BadIds, IdRejectsTest,
                         ::testing::Values("", std::string(65, 'a'), "has space", "semi;colon",
                                           "quote'", "dq\"", "brace{", "brace}", "slash/",
                                           "back\\slash", std::string("nul\0x", 5), "uml\xc3\xa4ut",
                                           "tab\t", "new\nline", "percent%", "star*"));

TEST(IdTest, AcceptsTheWholeCharsetUpTo64) {
  EXPECT_TRUE(UserId::Parse("a").ok());
  EXPECT_TRUE(UserId::Parse(std::string(64, 'z')).ok());
  EXPECT_TRUE(UserId::Parse("Az09._:-").ok());
  EXPECT_EQ(UserId::Parse("user-1")->str(), "user-1");
}

TEST(QuantityTest, RangeIsOneToMaxPerOrder) {
  EXPECT_FALSE(Quantity::Parse(0, 10).ok());
  EXPECT_FALSE(Quantity::Parse(-1, 10).ok());
  EXPECT_FALSE(Quantity::Parse(11, 10).ok());
  EXPECT_FALSE(Quantity::Parse(std::int64_t{1} << 40, 10).ok());
  EXPECT_EQ(Quantity::Parse(1, 10)->value(), 1);
  EXPECT_EQ(Quantity::Parse(10, 10)->value(), 10);
  EXPECT_EQ(Quantity::Parse(0, 10).error().detail, "quantity must be between 1 and 10");
}

TEST(OutcomeTest, NamesRoundTrip) {
  for (Outcome o :
       {Outcome::kAccepted, Outcome::kSoldOut, Outcome::kUserLimitReached, Outcome::kSaleNotActive,
        Outcome::kUnknownItem, Outcome::kInvalidRequest, Outcome::kDuplicateRequest,
        Outcome::kRateLimited, Outcome::kUnavailable, Outcome::kInternal}) {
    Outcome back = Outcome::kInternal;
    ASSERT_TRUE(FromString(ToString(o), back));
    EXPECT_EQ(back, o);
  }
  Outcome unused;
  EXPECT_FALSE(FromString("nope", unused));
  EXPECT_TRUE(IsStorable(Outcome::kSoldOut));
  EXPECT_FALSE(IsStorable(Outcome::kUnavailable));
  EXPECT_FALSE(IsStorable(Outcome::kSaleNotActive));
}

TEST(FingerprintTest, DependsOnSaleItemAndQuantityOnly) {
  auto base = MakeRequest("s", "i", "u", "r", 1).Fingerprint();
  EXPECT_EQ(base.size(), 16U);
  EXPECT_EQ(base, MakeRequest("s", "i", "other-user", "other-req", 1).Fingerprint());
  EXPECT_NE(base, MakeRequest("s", "i", "u", "r", 2).Fingerprint());
  EXPECT_NE(base, MakeRequest("s", "j", "u", "r", 1).Fingerprint());
  EXPECT_NE(base, MakeRequest("t", "i", "u", "r", 1).Fingerprint());
  // Field boundaries matter: ("ab", "c") differs from ("a", "bc").
  EXPECT_NE(MakeRequest("ab", "c", "u", "r").Fingerprint(),
            MakeRequest("a", "bc", "u", "r").Fingerprint());
}

TEST(SaleTest, ValidateRejectsInconsistentSales) {
  auto start = FromUnixMillis(1000);
  auto sale = testing::MakeSale("s", 10, 5, start, start + std::chrono::seconds(1));
  EXPECT_TRUE(sale.Validate().ok());
  auto bad = sale;
  bad.items.clear();
  EXPECT_FALSE(bad.Validate().ok());
  bad = sale;
  bad.items.push_back(bad.items[0]);
  EXPECT_FALSE(bad.Validate().ok());
  bad = sale;
  bad.items[0].stock = -1;
  EXPECT_FALSE(bad.Validate().ok());
  bad = sale;
  bad.per_user_limit = 0;
  EXPECT_FALSE(bad.Validate().ok());
  bad.per_user_limit = kMaxPerUserLimit;
  EXPECT_TRUE(bad.Validate().ok());
  bad.per_user_limit = kMaxPerUserLimit + 1;
  EXPECT_EQ(bad.Validate().error().detail, "per_user_limit must be between 1 and 1000000");
  bad = sale;
  bad.ends_at = bad.starts_at;
  EXPECT_FALSE(bad.Validate().ok());
  bad = sale;
  bad.items[0].stock = kMaxItemStock + 1;
  EXPECT_FALSE(bad.Validate().ok());
  bad = sale;
  bad.items[0].price_cents = kMaxPriceCents + 1;
  EXPECT_FALSE(bad.Validate().ok());
  bad = sale;
  for (std::size_t i = 1; i <= kMaxSaleItems; ++i) {
    bad.items.push_back(SaleItem{*ItemId::Parse("i" + std::to_string(i)), 1, 1, ""});
  }
  EXPECT_EQ(bad.Validate().error().detail, "a sale has at most 100 items");
  bad.items.pop_back();
  EXPECT_TRUE(bad.Validate().ok());
  EXPECT_TRUE(sale.IsActiveAt(start));
  EXPECT_FALSE(sale.IsActiveAt(start + std::chrono::seconds(1)));
}

TEST(TimeTest, Rfc3339ParsesWhatFormatWritesAndOffsets) {
  const TimePoint t = FromUnixMillis(1'795'442'400'123);  // 2026-11-23T14:00:00.123Z
  EXPECT_EQ(FormatRfc3339(t), "2026-11-23T14:00:00.123Z");
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t);
  EXPECT_EQ(ParseRfc3339("2026-11-23T14:00:00Z"), FromUnixMillis(1'795'442'400'000));
  EXPECT_EQ(ParseRfc3339("2026-11-23t14:00:00.1z"), FromUnixMillis(1'795'442'400'100));
  EXPECT_EQ(ParseRfc3339("2026-11-23T15:30:00.123456+01:30"), t);
  EXPECT_EQ(ParseRfc3339("2026-11-23T09:00:00.123-05:00"), t);
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), FromUnixMillis(0));
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00-00:01"), FromUnixMillis(60'000));
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("9999-12-31T23:59:59.999Z")), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(ParseRfc3339("2028-02-29T00:00:00Z"), FromUnixMillis(1'835'395'200'000));
}

TEST(TextTest, FormatCentsWritesTwoDecimals) {
  EXPECT_EQ(FormatCents(1999), "19.99");
  EXPECT_EQ(FormatCents(5), "0.05");
  EXPECT_EQ(FormatCents(0), "0.00");
  EXPECT_EQ(FormatCents(-250), "-2.50");
  EXPECT_EQ(FormatCents(INT64_MIN), "-92233720368547758.08");
}

TEST(TextTest, ParseNumberTakesOnlyAWholeNumber) {
  EXPECT_EQ(ParseNumber<std::int64_t>("1795442400000"), 1'795'442'400'000);
  EXPECT_EQ(ParseNumber<std::int64_t>("-5"), -5);
  EXPECT_EQ(ParseNumber<int>("65535"), 65535);
  EXPECT_EQ(ParseNumber<std::uint64_t>("18446744073709551615"), 18'446'744'073'709'551'615ULL);
  EXPECT_EQ(ParseNumber<double>("2.5"), 2.5);
  for (const char* bad : {"", " 1", "1 ", "+1", "1x", "0x10", "99999999999999999999"}) {
    EXPECT_FALSE(ParseNumber<std::int64_t>(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseNumber<std::uint64_t>("-1").has_value());
  EXPECT_FALSE(ParseNumber<int>("2147483648").has_value());
}

TEST(TimeTest, Rfc3339RejectsWhatIsNotADateTime) {
  for (const char* bad :
       {"", "2026-11-23", "2026-11-23T14:00:00", "2026-11-23 14:00:00Z", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T14:60:00Z", "2026-11-23T14:00:60Z", "2026-11-23T14:00:00.Z",
        "2026-11-23T14:00:00+0100", "2026-11-23T14:00:00+24:00", "2026-11-23T14:00:00ZZ",
        "1969-12-31T23:59:59Z", "+2026-11-23T14:00:00Z", "2026-1-23T14:00:00Z", "1795442400000",
        "2026-11-23T14:00:00Z ",
        // Offsets that carry an edge date out of 1970-9999 (found by tests/fuzz/fuzz_text).
        "1970-01-01T00:00:00+00:01", "9999-12-31T23:59:59.999-23:59"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(SaleTest, ItemNamesAreUtf8WithoutControlCharacters) {
  EXPECT_TRUE(IsValidDisplayName(""));
  EXPECT_TRUE(IsValidDisplayName("iPhone 15 \"Pro\" it's \\ 100% 'quoted'"));
  EXPECT_TRUE(
      IsValidDisplayName("Sm\xc3\xb8rrebr\xc3\xb8"
                         "d \xe2\x98\x83 \xf0\x9f\x8e\x81"));
  EXPECT_TRUE(IsValidDisplayName(std::string(200, 'x')));
  EXPECT_FALSE(IsValidDisplayName(std::string(201, 'x')));
  EXPECT_FALSE(IsValidDisplayName("tab\there"));
  EXPECT_FALSE(IsValidDisplayName(std::string("nul\0", 4)));
  EXPECT_FALSE(IsValidDisplayName("\xc3"));          // truncated
  EXPECT_FALSE(IsValidDisplayName("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(IsValidDisplayName("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsValidDisplayName("\xff"));
}

TEST(UlidGeneratorTest, UniqueSortedAndValidIds) {
  memory::ManualClock clock;
  core::UlidGenerator ids(clock);
  std::set<std::string> seen;
  std::string last;
  for (int i = 0; i < 10000; ++i) {
    if (i % 1000 == 0) clock.Advance(std::chrono::milliseconds(1));
    auto id = ids.Next().str();
    ASSERT_EQ(id.size(), 26U);
    ASSERT_GT(id, last);
    last = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000U);
  // A clock stepping backwards must not break monotonicity.
  clock.Advance(-std::chrono::milliseconds(500));
  EXPECT_GT(ids.Next().str(), last);
}

TEST(ValidateTest, PurchaseNamesTheFirstBadFieldAndKeepsTheValues) {
  PurchaseInput input{.sale_id = "demo",
                      .item_id = "iphone-15",
                      .user_id = "u1",
                      .request_id = "r-1",
                      .quantity = 2};
  auto valid = ValidatePurchase(input, 5);
  ASSERT_TRUE(valid.ok());
  EXPECT_EQ(valid->user.str(), "u1");
  EXPECT_EQ(valid->request.str(), "r-1");
  EXPECT_EQ(valid->quantity.value(), 2);

  auto bad = [](PurchaseInput in, std::int32_t max) {
    auto result = ValidatePurchase(in, max);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.error().outcome, Outcome::kInvalidRequest);
    return result.ok() ? std::string() : result.error().detail;
  };
  PurchaseInput no_user = input;
  no_user.user_id = "";
  EXPECT_NE(bad(no_user, 5).find("user_id"), std::string::npos);
  PurchaseInput reserved = input;
  reserved.request_id = "CHK_0123456789ABCDEFGHJKMNPQRS";
  EXPECT_NE(bad(reserved, 5).find("CHK_"), std::string::npos);
  EXPECT_NE(bad(input, 1).find("quantity"), std::string::npos);  // 2 > max 1
}

TEST(ValidateTest, CheckoutAndCompleteTakeAnOptionalRequestId) {
  CheckoutInput checkout{.sale_id = "demo", .item_id = "iphone-15", .user_id = "u1"};
  auto valid = ValidateCheckout(checkout);
  ASSERT_TRUE(valid.ok());
  EXPECT_FALSE(valid->request.has_value());
  checkout.request_id = "c-1";
  ASSERT_TRUE(ValidateCheckout(checkout).ok());
  EXPECT_EQ(ValidateCheckout(checkout)->request->str(), "c-1");
  checkout.request_id = "c 1";
  EXPECT_FALSE(ValidateCheckout(checkout).ok());

  const std::string code = "CHK_0123456789ABCDEFGHJKMNPQRS_demo";
  auto complete = ValidateComplete(CompleteInput{.code = code});
  ASSERT_TRUE(complete.ok());
  EXPECT_EQ(complete->code.str(), code);
  EXPECT_FALSE(complete->request.has_value());
  EXPECT_FALSE(ValidateComplete(CompleteInput{.code = "CHK_short_demo"}).ok());
  EXPECT_FALSE(ValidateComplete(CompleteInput{.code = code, .request_id = "bad id"}).ok());
}

}  // namespace
}  // namespace flashsale::domain
