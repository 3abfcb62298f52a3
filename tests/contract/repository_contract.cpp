#include "repository_contract.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "builders.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;

domain::TimePoint Start() { return domain::FromUnixMillis(1'800'000'000'000); }

}  // namespace

std::string RepositoryContractBase::UniqueId(const std::string& tag) {
  static std::atomic<int> counter{0};
  static const auto run = std::random_device{}();
  return tag + "-" + std::to_string(run % 1'000'000) + "-" + std::to_string(++counter);
}

domain::Sale RepositoryContractBase::CreateSale(std::int64_t stock) {
  domain::Sale sale =
      MakeSale(UniqueId("repo"), stock, 10, Start(), Start() + std::chrono::hours(1));
  auto created = harness_->sales().Create(sale);
  EXPECT_TRUE(created.ok()) << created.error().detail;
  return sale;
}

domain::Order RepositoryContractBase::Order(const domain::Sale& sale, const std::string& suffix,
                                            const std::string& item, const std::string& user,
                                            const std::string& request,
                                            std::int32_t quantity) const {
  const std::string id = sale.id.str() + "-" + suffix;
  return MakeOrder(id, sale.id.str(), item, user, request.empty() ? "req-" + suffix : request,
                   quantity);
}

TEST_P(SaleRepositoryContract, CreateFindAndList) {
  domain::Sale sale = MakeSale(UniqueId("sale"), 100, 7, Start(), Start() + std::chrono::hours(1));
  sale.items[0].name = "Robert'); DROP TABLE orders;-- \\\" 100% \xe2\x98\x83 \xf0\x9f\x8e\x81";
  sale.items.push_back(
      domain::SaleItem{MakeId<domain::ItemId>(std::string(64, 'i')), 5, 0, std::string(200, 'n')});
  ASSERT_TRUE(harness_->sales().Create(sale).ok());
  auto found = harness_->sales().Find(sale.id);
  ASSERT_TRUE(found.ok()) << found.error().detail;
  ASSERT_TRUE(found->has_value());
  const domain::Sale& back = **found;
  EXPECT_EQ(back.per_user_limit, 7);
  EXPECT_EQ(back.starts_at, sale.starts_at);
  EXPECT_EQ(back.ends_at, sale.ends_at);
  ASSERT_EQ(back.items.size(), 2U);
  std::map<std::string, domain::SaleItem> by_id;
  for (const auto& item : back.items) by_id.emplace(item.id.str(), item);
  EXPECT_EQ(by_id.at("item-1").name, sale.items[0].name);
  EXPECT_EQ(by_id.at("item-1").stock, 100);
  EXPECT_EQ(by_id.at("item-1").price_cents, 999);
  EXPECT_EQ(by_id.at(std::string(64, 'i')).name, std::string(200, 'n'));

  auto list = harness_->sales().List();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(std::any_of(list->begin(), list->end(),
                          [&](const domain::Sale& s) { return s.id == sale.id; }));
  EXPECT_FALSE(harness_->sales().Find(MakeId<domain::SaleId>(UniqueId("none")))->has_value());
}

TEST_P(SaleRepositoryContract, CloseEndsASaleEarlyOnce) {
  domain::Sale open = CreateSale(3);  // [Start, Start + 1 h)
  const domain::TimePoint at = Start() + std::chrono::minutes(10);
  auto closed = harness_->sales().Close(open.id, at);
  ASSERT_TRUE(closed.ok()) << closed.error().detail;
  EXPECT_EQ(closed->starts_at, open.starts_at);
  EXPECT_EQ(closed->ends_at, at);
  EXPECT_EQ(closed->items.size(), 1U);
  auto found = harness_->sales().Find(open.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->ends_at, at);
  // Later closes leave an ended sale as it is.
  auto again = harness_->sales().Close(open.id, at + std::chrono::minutes(5));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ends_at, at);
  auto ended = harness_->sales().ListEndingAfter(at);
  ASSERT_TRUE(ended.ok());
  for (const auto& sale : *ended) EXPECT_NE(sale.id, open.id);

  // A sale that has not started: its window moves to just before the close.
  domain::Sale upcoming = MakeSale(UniqueId("upcoming"), 3, 10, Start() + std::chrono::hours(2),
                                   Start() + std::chrono::hours(3));
  ASSERT_TRUE(harness_->sales().Create(upcoming).ok());
  auto cancelled = harness_->sales().Close(upcoming.id, Start());
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().detail;
  EXPECT_EQ(cancelled->ends_at, Start());
  EXPECT_EQ(cancelled->starts_at, Start() - std::chrono::milliseconds(1));

  auto ghost = harness_->sales().Close(MakeId<domain::SaleId>(UniqueId("ghost")), at);
  ASSERT_FALSE(ghost.ok());
  EXPECT_EQ(ghost.error().outcome, Outcome::kNotFound);
}

TEST_P(SaleRepositoryContract, DuplicateAndInvalidSalesChangeNothing) {
  domain::Sale sale = CreateSale(3);
  domain::Sale again = sale;
  again.items[0].stock = 999;
  auto duplicate = harness_->sales().Create(again);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().outcome, Outcome::kDuplicateRequest);
  EXPECT_EQ((*harness_->sales().Find(sale.id))->items[0].stock, 3);

  domain::Sale invalid = MakeSale(UniqueId("bad"), -1, 1, Start(), Start() + std::chrono::hours(1));
  EXPECT_EQ(harness_->sales().Create(invalid).error().outcome, Outcome::kInvalidRequest);
  EXPECT_FALSE(harness_->sales().Find(invalid.id)->has_value());
}

TEST_P(OrderRepositoryContract, GuardRefusesBeyondStockOrderByOrderAndReplaysAreIdentical) {
  domain::Sale sale = CreateSale(3);
  std::vector<domain::Order> batch{
      Order(sale, "A", "item-1", "u1", "", 2), Order(sale, "B", "item-1", "u2", "", 2),
      Order(sale, "C", "item-1", "u3", "", 1), Order(sale, "D", "nope", "u4"),
      Order(sale, "E", "item-1", "u1", "req-A")};
  auto results = harness_->orders().SaveBatch(batch);
  ASSERT_TRUE(results.ok()) << results.error().detail;
  ASSERT_EQ(results->size(), 5U);
  EXPECT_TRUE((*results)[0].saved);
  EXPECT_FALSE((*results)[1].saved);
  EXPECT_EQ((*results)[1].reason, Outcome::kSoldOut);
  EXPECT_TRUE((*results)[2].saved);
  EXPECT_EQ((*results)[3].reason, Outcome::kUnknownItem);
  EXPECT_EQ((*results)[4].reason, Outcome::kDuplicateRequest);
  EXPECT_EQ(*harness_->orders().CountSold(sale.id, batch[0].item), 3);

  // Replayed (a crash between save and ack): the same answers, nothing changes.
  auto again = harness_->orders().SaveBatch(batch);
  ASSERT_TRUE(again.ok());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ((*again)[i].saved, (*results)[i].saved) << i;
    EXPECT_EQ((*again)[i].reason, (*results)[i].reason) << i;
  }
  EXPECT_EQ(*harness_->orders().CountSold(sale.id, batch[0].item), 3);
}

TEST_P(OrderRepositoryContract, FindReturnsTheStoredOrderWithItsStatus) {
  domain::Sale sale = CreateSale(1);
  std::vector<domain::Order> batch{Order(sale, "A", "item-1", "u1", "", 1),
                                   Order(sale, "B", "item-1", "u2", "", 1),
                                   Order(sale, "C", "item-1", "u1", "req-A")};
  ASSERT_TRUE(harness_->orders().SaveBatch(batch).ok());
  auto a = harness_->orders().Find(batch[0].id);
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->status, domain::OrderStatus::kConfirmed);
  EXPECT_EQ((*a)->sale, sale.id);
  EXPECT_EQ((*a)->user.str(), "u1");
  EXPECT_EQ((*a)->request.str(), "req-A");
  EXPECT_EQ((*a)->quantity.value(), 1);
  EXPECT_EQ((*a)->unit_price_cents, 999);
  EXPECT_EQ((*a)->created_at, batch[0].created_at);
  EXPECT_EQ((*harness_->orders().Find(batch[1].id))->status, domain::OrderStatus::kFailed);
  // A duplicate request key is refused without a row of its own.
  EXPECT_FALSE(harness_->orders().Find(batch[2].id)->has_value());
  EXPECT_FALSE(harness_->orders().Find(MakeId<domain::OrderId>(UniqueId("nobody")))->has_value());
  EXPECT_EQ(harness_->orders().CountSold(sale.id, MakeId<domain::ItemId>("nope")).error().outcome,
            Outcome::kUnknownItem);
}

TEST_P(OrderRepositoryContract, OrdersOfAnUnknownSaleAreRefused) {
  domain::Sale ghost = MakeSale(UniqueId("ghost"), 5, 5, Start(), Start() + std::chrono::hours(1));
  std::vector<domain::Order> batch{Order(ghost, "A")};
  auto results = harness_->orders().SaveBatch(batch);
  ASSERT_TRUE(results.ok());
  EXPECT_FALSE((*results)[0].saved);
  EXPECT_EQ((*results)[0].reason, Outcome::kUnknownItem);
}

TEST_P(OrderRepositoryContract, AuditCountsUnitsOrdersAndUsersOfOneSale) {
  domain::Sale sale = CreateSale(3);
  std::vector<domain::Order> batch{Order(sale, "A", "item-1", "u1", "", 2),
                                   Order(sale, "B", "item-1", "u2", "", 2),
                                   Order(sale, "C", "item-1", "u3", "", 1)};
  ASSERT_TRUE(harness_->orders().SaveBatch(batch).ok());
  auto audit = harness_->orders().Audit(sale.id, std::nullopt);
  ASSERT_TRUE(audit.ok()) << audit.error().detail;
  ASSERT_EQ(audit->items.size(), 1U);
  EXPECT_EQ(audit->items[0].item.str(), "item-1");
  EXPECT_EQ(audit->items[0].stock, 3);
  EXPECT_EQ(audit->items[0].sold, 3);
  EXPECT_EQ(audit->items[0].confirmed_units, 3);
  EXPECT_EQ(audit->items[0].failed_units, 2);  // order B
  std::sort(audit->confirmed_order_ids.begin(), audit->confirmed_order_ids.end());
  EXPECT_EQ(audit->confirmed_order_ids,
            (std::vector<std::string>{batch[0].id.str(), batch[2].id.str()}));
  EXPECT_EQ(audit->units_by_user, (std::map<std::string, std::int64_t>{{"u1", 2}, {"u3", 1}}));
  auto ghost = harness_->orders().Audit(MakeId<domain::SaleId>(UniqueId("ghost")), std::nullopt);
  ASSERT_FALSE(ghost.ok());
  EXPECT_EQ(ghost.error().outcome, Outcome::kNotFound);
}

TEST_P(OrderRepositoryContract, AuditCountsOnlyOrdersQueuedUpToThePosition) {
  domain::Sale sale = CreateSale(10);
  auto at = [&](const std::string& suffix, std::int64_t major, std::int64_t minor) {
    domain::Order order = Order(sale, suffix, "item-1", "u-" + suffix);
    order.position = domain::QueuePosition{major, minor};
    return order;
  };
  std::vector<domain::Order> batch{at("early", 100, 0), at("same-ms", 100, 7),
                                   at("later-ms", 101, 0), at("later-seq", 100, 8),
                                   Order(sale, "unplaced", "item-1", "u-unplaced")};
  batch.back().position = std::nullopt;  // persisted before positions were recorded: seen
  ASSERT_TRUE(harness_->orders().SaveBatch(batch).ok());
  auto audit = harness_->orders().Audit(sale.id, domain::QueuePosition{100, 7});
  ASSERT_TRUE(audit.ok()) << audit.error().detail;
  EXPECT_EQ(audit->items[0].sold, 5);
  EXPECT_EQ(audit->items[0].confirmed_units, 3);
  EXPECT_EQ(audit->items[0].later_units, 2);
  std::sort(audit->confirmed_order_ids.begin(), audit->confirmed_order_ids.end());
  std::vector<std::string> seen{batch[0].id.str(), batch[1].id.str(), batch[4].id.str()};
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(audit->confirmed_order_ids, seen);
  EXPECT_EQ(audit->units_by_user.size(), 3U);
  auto all = harness_->orders().Audit(sale.id, std::nullopt);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items[0].confirmed_units, 5);
  EXPECT_EQ(all->items[0].later_units, 0);
  auto none = harness_->orders().Audit(sale.id, domain::QueuePosition{0, 0});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->items[0].confirmed_units, 1);  // only the unplaced one
  EXPECT_EQ(none->items[0].later_units, 4);
}

TEST_P(OrderRepositoryContract, ConcurrentBatchesNeverOversell) {
  domain::Sale sale = CreateSale(1000);
  std::atomic<int> saved{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int b = 0; b < 10; ++b) {
        std::vector<domain::Order> batch;
        for (int i = 0; i < 50; ++i) {
          const std::string suffix =
              "W" + std::to_string(w) + "B" + std::to_string(b) + "I" + std::to_string(i);
          batch.push_back(Order(sale, suffix, "item-1", "u" + suffix));
        }
        for (int attempt = 0; attempt < 100; ++attempt) {  // deadlocks may be retried
          auto results = harness_->orders().SaveBatch(batch);
          if (!results) continue;
          for (const auto& r : *results) saved += r.saved ? 1 : 0;
          break;
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(saved.load(), 1000);
  EXPECT_EQ(*harness_->orders().CountSold(sale.id, sale.items[0].id), 1000);
  auto audit = harness_->orders().Audit(sale.id, std::nullopt);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->items[0].confirmed_units, 1000);
  EXPECT_EQ(audit->items[0].failed_units, 1000);
}

TEST_P(OrderRepositoryContract, CheckoutAttemptsAreRecordedOnceEachAndCounted) {
  domain::Sale sale = CreateSale(5);
  const auto code = *domain::CheckoutCode::Make(std::string(26, '7'), sale.id);
  auto attempt = [&](const std::string& id, Outcome outcome, bool with_code) {
    domain::CheckoutAttempt a{MakeId<domain::AttemptId>(sale.id.str() + "-" + id),
                              sale.id,
                              sale.items[0].id,
                              MakeId<domain::UserId>("u-" + id),
                              outcome,
                              std::nullopt,
                              std::nullopt,
                              Start()};
    if (with_code) {
      a.code = code;
      a.expires_at = Start() + std::chrono::minutes(10);
    }
    return a;
  };
  std::vector<domain::CheckoutAttempt> batch{attempt("a1", Outcome::kAccepted, true),
                                             attempt("a2", Outcome::kSoldOut, false),
                                             attempt("a3", Outcome::kUserLimitReached, false)};
  ASSERT_TRUE(harness_->orders().SaveAttempts(batch).ok());
  ASSERT_TRUE(harness_->orders().SaveAttempts(batch).ok());  // redelivered: no-op
  std::vector<domain::CheckoutAttempt> more{attempt("a4", Outcome::kSaleNotActive, false),
                                            batch[0]};
  ASSERT_TRUE(harness_->orders().SaveAttempts(more).ok());
  ASSERT_TRUE(harness_->orders().SaveAttempts({}).ok());
  auto audit = harness_->orders().Audit(sale.id, std::nullopt);
  ASSERT_TRUE(audit.ok()) << audit.error().detail;
  EXPECT_EQ(audit->checkout_attempts, 4);
  EXPECT_EQ(audit->checkout_holds, 1);
}

// Each test binary instantiates the suites of the backends it links.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SaleRepositoryContract);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OrderRepositoryContract);

}  // namespace flashsale::testing
