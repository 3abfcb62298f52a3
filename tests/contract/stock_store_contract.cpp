#include "stock_store_contract.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <thread>

#include "builders.hpp"
#include "reserve_sync.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;

domain::TimePoint Now() { return domain::FromUnixMillis(StockStoreContract::kNowMs); }

}  // namespace

void StockStoreContract::SetUp() { harness_ = GetParam().make(); }

std::string StockStoreContract::UniqueSaleId() {
  static std::atomic<int> counter{0};
  static const auto run = std::random_device{}();
  return "contract-" + std::to_string(run) + "-" + std::to_string(++counter);
}

domain::Sale StockStoreContract::LoadSale(std::int64_t stock, std::int32_t limit) {
  domain::Sale sale = MakeSale(UniqueSaleId(), stock, limit, Now() - std::chrono::minutes(1),
                               Now() + std::chrono::minutes(1));
  auto loaded = harness_->store().Load(sale);
  EXPECT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded.ok() && *loaded);
  harness_->Track(sale);
  return sale;
}

domain::PurchaseReply StockStoreContract::Buy(const domain::Sale& sale, std::string_view user,
                                              std::string_view request, std::int32_t quantity,
                                              std::string_view item, std::string_view order_id) {
  std::string id = order_id.empty() ? "O" + std::to_string(++next_order_) : std::string(order_id);
  domain::Reservation r{MakeRequest(sale.id.str(), item, user, request, quantity),
                        MakeId<domain::OrderId>(id), Now()};
  return ReserveSync(harness_->store(), r);
}

std::int64_t StockStoreContract::Remaining(const domain::Sale& sale, std::string_view item) {
  auto snapshot = harness_->store().Snapshot(sale.id);
  EXPECT_TRUE(snapshot.ok());
  if (!snapshot) return -1;
  for (const auto& entry : snapshot->items) {
    if (entry.item.str() == item) return entry.remaining;
  }
  ADD_FAILURE() << "no item " << item << " in snapshot";
  return -1;
}

std::vector<ports::QueuedEntry> StockStoreContract::DrainQueue() {
  std::vector<ports::QueuedEntry> all;
  for (;;) {
    auto batch = harness_->queue().Pull("contract", 1000, milliseconds(0));
    EXPECT_TRUE(batch.ok());
    if (!batch || batch->empty()) break;
    for (auto& q : *batch) all.push_back(std::move(q));
  }
  std::vector<std::string> receipts;
  for (const auto& q : all) receipts.push_back(q.receipt);
  if (!receipts.empty()) {
    EXPECT_TRUE(harness_->queue().Ack(receipts).ok());
  }
  return all;
}

std::vector<ports::QueuedEntry> StockStoreContract::DrainSale(const domain::Sale& sale) {
  std::vector<ports::QueuedEntry> mine;
  for (auto& entry : DrainQueue()) {
    const domain::SaleId& of = entry.order ? entry.order->sale : entry.attempt->sale;
    if (of == sale.id) mine.push_back(std::move(entry));
  }
  return mine;
}

domain::CheckoutCode StockStoreContract::FreshCode(const domain::SaleId& sale) {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t run = std::random_device{}();
  static constexpr std::string_view kDigits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::uint64_t value = run * 1'000'003 + (++counter);
  std::string secret(domain::CheckoutCode::kSecretChars, '0');
  for (std::size_t i = secret.size(); i-- > 0 && value != 0; value /= 32) {
    secret[i] = kDigits[value % 32];
  }
  return *domain::CheckoutCode::Make(secret, sale);
}

domain::CheckoutReply StockStoreContract::Hold(const domain::Sale& sale, std::string_view user,
                                               std::string_view request, std::string_view item,
                                               std::int64_t now_ms, std::chrono::milliseconds ttl) {
  std::optional<domain::RequestId> request_id;
  if (!request.empty()) request_id = MakeId<domain::RequestId>(request);
  const auto now = domain::FromUnixMillis(now_ms);
  domain::HoldRequest hold{domain::CheckoutRequest{sale.id, MakeId<domain::ItemId>(item),
                                                   MakeId<domain::UserId>(user), request_id},
                           FreshCode(sale.id),
                           MakeId<domain::AttemptId>("A" + std::to_string(++next_order_)), now,
                           now + ttl};
  return CheckoutSync(harness_->store(), hold);
}

domain::CompleteReply StockStoreContract::Redeem(const domain::CheckoutCode& code,
                                                 std::string_view request, std::int64_t now_ms) {
  std::optional<domain::RequestId> request_id;
  if (!request.empty()) request_id = MakeId<domain::RequestId>(request);
  domain::Completion completion{code, request_id,
                                MakeId<domain::OrderId>("C" + std::to_string(++next_order_)),
                                domain::FromUnixMillis(now_ms)};
  return CompleteSync(harness_->store(), completion);
}

TEST_P(StockStoreContract, AcceptsDecrementsAndEnqueuesTheOrder) {
  domain::Sale sale = LoadSale(5, 10);
  auto reply = Buy(sale, "alice", "r1", 2, "item-1", "ORDER-A");
  ASSERT_EQ(reply.outcome, Outcome::kAccepted) << reply.detail;
  ASSERT_TRUE(reply.order_id.has_value());
  EXPECT_EQ(reply.order_id->str(), "ORDER-A");
  if (harness_->SplitsSales()) {
    EXPECT_LE(reply.remaining, 3);  // the buyer's sub-stock's
  } else {
    EXPECT_EQ(reply.remaining, 3);
  }
  EXPECT_FALSE(reply.replayed);
  EXPECT_EQ(Remaining(sale), 3);

  auto queued = DrainQueue();
  ASSERT_EQ(queued.size(), 1U);
  const domain::Order& order = *queued[0].order;
  EXPECT_EQ(order.id.str(), "ORDER-A");
  EXPECT_EQ(order.sale, sale.id);
  EXPECT_EQ(order.item.str(), "item-1");
  EXPECT_EQ(order.user.str(), "alice");
  EXPECT_EQ(order.request.str(), "r1");
  EXPECT_EQ(order.quantity.value(), 2);
  EXPECT_EQ(order.unit_price_cents, 999);
  EXPECT_EQ(order.status, domain::OrderStatus::kPending);
  EXPECT_EQ(domain::ToUnixMillis(order.created_at), kNowMs);

  auto status = harness_->store().FindOrderStatus(sale.id, order.id);
  ASSERT_TRUE(status.ok());
  ASSERT_TRUE(status->has_value());
  EXPECT_EQ(**status, domain::OrderStatus::kPending);
}

TEST_P(StockStoreContract, LoadNeverOverwritesALiveSale) {
  domain::Sale sale = LoadSale(5, 10);
  ASSERT_EQ(Buy(sale, "alice", "r1").outcome, Outcome::kAccepted);
  domain::Sale again = sale;
  again.items[0].stock = 1000;
  auto loaded = harness_->store().Load(again);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(*loaded);
  EXPECT_EQ(Remaining(sale), 4);
}

TEST_P(StockStoreContract, LoadRejectsAnInvalidSale) {
  domain::Sale sale = MakeSale(UniqueSaleId(), 5, 10, Now(), Now());  // empty window
  auto loaded = harness_->store().Load(sale);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().outcome, Outcome::kInvalidRequest);
  EXPECT_FALSE(harness_->store().Snapshot(sale.id).ok());
}

TEST_P(StockStoreContract, SoldOutWhenQuantityExceedsRemaining) {
  domain::Sale sale = LoadSale(3, 10);
  ASSERT_EQ(Buy(sale, "alice", "r1", 2).outcome, Outcome::kAccepted);
  auto reply = Buy(sale, "bob", "r1", 2);
  EXPECT_EQ(reply.outcome, Outcome::kSoldOut);
  EXPECT_FALSE(reply.order_id.has_value());
  EXPECT_EQ(reply.remaining, 1);
  EXPECT_EQ(Remaining(sale), 1);
  EXPECT_EQ(Buy(sale, "carol", "r1", 1).outcome, Outcome::kAccepted);
  EXPECT_EQ(Buy(sale, "dave", "r1", 1).outcome, Outcome::kSoldOut);
  EXPECT_EQ(Remaining(sale), 0);
  EXPECT_EQ(DrainQueue().size(), 2U);
}

TEST_P(StockStoreContract, ZeroStockIsSoldOutFromTheStart) {
  domain::Sale sale = LoadSale(0, 10);
  EXPECT_EQ(Buy(sale, "alice", "r1").outcome, Outcome::kSoldOut);
  EXPECT_TRUE(DrainQueue().empty());
}

TEST_P(StockStoreContract, PerUserLimitCountsUnitsAcrossRequests) {
  domain::Sale sale = LoadSale(100, 3);
  ASSERT_EQ(Buy(sale, "alice", "r1", 2).outcome, Outcome::kAccepted);
  auto over = Buy(sale, "alice", "r2", 2);
  EXPECT_EQ(over.outcome, Outcome::kUserLimitReached);
  EXPECT_FALSE(over.order_id.has_value());
  EXPECT_EQ(Buy(sale, "alice", "r3", 1).outcome, Outcome::kAccepted);
  EXPECT_EQ(Buy(sale, "alice", "r4", 1).outcome, Outcome::kUserLimitReached);
  EXPECT_EQ(Buy(sale, "bob", "r1", 3).outcome, Outcome::kAccepted);
  EXPECT_EQ(Buy(sale, "carol", "r1", 4).outcome, Outcome::kUserLimitReached);
  EXPECT_EQ(Remaining(sale), 94);
  EXPECT_EQ(DrainQueue().size(), 3U);
}

TEST_P(StockStoreContract, OutsideTheWindowIsNotActiveAndNotStored) {
  domain::Sale sale =
      MakeSale(UniqueSaleId(), 5, 10, Now() + milliseconds(1000), Now() + milliseconds(2000));
  ASSERT_TRUE(harness_->store().Load(sale).ok());
  harness_->Track(sale);
  auto at = [&](std::int64_t offset_ms, std::string_view request) {
    domain::Reservation r{MakeRequest(sale.id.str(), "item-1", "alice", request),
                          MakeId<domain::OrderId>("W" + std::to_string(offset_ms)),
                          Now() + milliseconds(offset_ms)};
    return ReserveSync(harness_->store(), r);
  };
  EXPECT_EQ(at(999, "early").outcome, Outcome::kSaleNotActive);
  EXPECT_EQ(at(2000, "late").outcome, Outcome::kSaleNotActive);  // ends_at is exclusive
  // Not stored: the same request succeeds once the sale is open.
  auto open = at(1000, "early");
  EXPECT_EQ(open.outcome, Outcome::kAccepted);
  EXPECT_FALSE(open.replayed);
  EXPECT_EQ(Remaining(sale), 4);
}

TEST_P(StockStoreContract, UnknownItemAndUnknownSale) {
  domain::Sale sale = LoadSale(5, 10);
  EXPECT_EQ(Buy(sale, "alice", "r1", 1, "no-such-item").outcome, Outcome::kUnknownItem);
  domain::Sale ghost = MakeSale(UniqueSaleId(), 5, 10, Now(), Now() + milliseconds(1));
  EXPECT_EQ(Buy(ghost, "alice", "r1").outcome, Outcome::kUnknownItem);
  auto snapshot = harness_->store().Snapshot(ghost.id);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.error().outcome, Outcome::kNotFound);
  EXPECT_EQ(Remaining(sale), 5);
  EXPECT_TRUE(DrainQueue().empty());
}

TEST_P(StockStoreContract, SameKeySamePayloadReplaysTheFirstAnswer) {
  domain::Sale sale = LoadSale(5, 10);
  auto first = Buy(sale, "alice", "r1", 2, "item-1", "FIRST");
  ASSERT_EQ(first.outcome, Outcome::kAccepted);
  auto again = Buy(sale, "alice", "r1", 2, "item-1", "SECOND");
  EXPECT_EQ(again.outcome, Outcome::kAccepted);
  ASSERT_TRUE(again.order_id.has_value());
  EXPECT_EQ(again.order_id->str(), "FIRST");
  EXPECT_EQ(again.remaining, first.remaining);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(Remaining(sale), 3);
  EXPECT_EQ(DrainQueue().size(), 1U);
}

TEST_P(StockStoreContract, AcceptedAnswerIsReplayedEvenAfterSellingOut) {
  domain::Sale sale = LoadSale(1, 10);
  auto first = Buy(sale, "alice", "r1");
  ASSERT_EQ(first.outcome, Outcome::kAccepted);
  EXPECT_EQ(Buy(sale, "bob", "r1").outcome, Outcome::kSoldOut);
  auto again = Buy(sale, "alice", "r1");
  EXPECT_EQ(again.outcome, Outcome::kAccepted);
  EXPECT_EQ(again.order_id, first.order_id);
}

TEST_P(StockStoreContract, StoredRejectionIsReplayedAfterStockComesBack) {
  domain::Sale sale = LoadSale(1, 10);
  auto alice = Buy(sale, "alice", "r1");
  ASSERT_EQ(alice.outcome, Outcome::kAccepted);
  ASSERT_EQ(Buy(sale, "bob", "r1").outcome, Outcome::kSoldOut);
  auto queued = DrainQueue();
  ASSERT_EQ(queued.size(), 1U);
  ASSERT_TRUE(harness_->store().Release(*queued[0].order, Outcome::kSoldOut).ok());
  EXPECT_EQ(Remaining(sale), 1);
  auto replay = Buy(sale, "bob", "r1");
  EXPECT_EQ(replay.outcome, Outcome::kSoldOut);
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(Buy(sale, "bob", "r2").outcome, Outcome::kAccepted);
}

TEST_P(StockStoreContract, SameKeyOtherPayloadIsDuplicateAndWritesNothing) {
  domain::Sale sale = LoadSale(5, 10);
  ASSERT_EQ(Buy(sale, "alice", "r1", 1).outcome, Outcome::kAccepted);
  EXPECT_EQ(Buy(sale, "alice", "r1", 2).outcome, Outcome::kDuplicateRequest);
  EXPECT_EQ(Remaining(sale), 4);
  EXPECT_EQ(DrainQueue().size(), 1U);
  // The stored answer is untouched: the original payload still replays.
  EXPECT_TRUE(Buy(sale, "alice", "r1", 1).replayed);
}

TEST_P(StockStoreContract, RequestIdsAreScopedPerUser) {
  domain::Sale sale = LoadSale(5, 10);
  auto a = Buy(sale, "alice", "same");
  auto b = Buy(sale, "bob", "same");
  ASSERT_EQ(a.outcome, Outcome::kAccepted);
  ASSERT_EQ(b.outcome, Outcome::kAccepted);
  EXPECT_NE(a.order_id, b.order_id);
  // "a:b" + "c" and "a" + "b:c" must not share a key.
  EXPECT_EQ(Buy(sale, "x:y", "z").outcome, Outcome::kAccepted);
  auto other = Buy(sale, "x", "y:z");
  EXPECT_EQ(other.outcome, Outcome::kAccepted);
  EXPECT_FALSE(other.replayed);
  EXPECT_EQ(Remaining(sale), 1);
}

TEST_P(StockStoreContract, ReleaseGivesUnitsBackExactlyOnce) {
  domain::Sale sale = LoadSale(5, 3);
  auto notified = std::make_shared<std::atomic<int>>(0);
  harness_->store().OnUnitsReturned(
      [notified, id = sale.id](const domain::SaleId& s, const domain::ItemId& item) {
        if (s == id && item.str() == "item-1") ++*notified;
      });
  ASSERT_EQ(Buy(sale, "alice", "r1", 3).outcome, Outcome::kAccepted);
  ASSERT_EQ(Buy(sale, "alice", "r2", 1).outcome, Outcome::kUserLimitReached);
  auto queued = DrainQueue();
  ASSERT_EQ(queued.size(), 1U);
  const domain::Order& order = *queued[0].order;

  auto first = harness_->store().Release(order, Outcome::kSoldOut);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  auto second = harness_->store().Release(order, Outcome::kSoldOut);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  EXPECT_EQ(Remaining(sale), 5);

  auto status = harness_->store().FindOrderStatus(sale.id, order.id);
  ASSERT_TRUE(status.ok() && status->has_value());
  EXPECT_EQ(**status, domain::OrderStatus::kFailed);

  // The stored answer now tells the truth about the order.
  auto replay = Buy(sale, "alice", "r1", 3);
  EXPECT_EQ(replay.outcome, Outcome::kSoldOut);
  EXPECT_TRUE(replay.order_failed);
  EXPECT_EQ(replay.order_id, order.id);

  // The user's units came back: three more fit under the limit of 3.
  EXPECT_EQ(Buy(sale, "alice", "r3", 3).outcome, Outcome::kAccepted);
  auto snapshot = harness_->store().Snapshot(sale.id);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->released_orders, 1);

  for (int i = 0; i < 200 && notified->load() == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  std::this_thread::sleep_for(milliseconds(50));  // a second notification would show here
  EXPECT_EQ(notified->load(), 1);
}

TEST_P(StockStoreContract, BuyerSetVersionMatchesTheSoldOutAnswer) {
  domain::Sale sale = LoadSale(2, 10);
  ASSERT_EQ(Buy(sale, "alice", "r1").outcome, Outcome::kAccepted);
  ASSERT_EQ(Buy(sale, "bob", "r1").outcome, Outcome::kAccepted);
  auto sold_out = Buy(sale, "carol", "r1");
  ASSERT_EQ(sold_out.outcome, Outcome::kSoldOut);
  EXPECT_NE(sold_out.buyers_version, 0U);

  auto promise = std::make_shared<std::promise<domain::Result<ports::BuyerSet>>>();
  auto future = promise->get_future();
  harness_->store().FetchBuyers(sale.id, [promise](domain::Result<ports::BuyerSet> set) {
    promise->set_value(std::move(set));
  });
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto set = future.get();
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->version, sold_out.buyers_version);
  std::sort(set->users.begin(), set->users.end());
  EXPECT_EQ(set->users, (std::vector<std::string>{"alice", "bob"}));
  // A replayed SoldOut carries no version (it is not a fresh look at the stock).
  EXPECT_EQ(Buy(sale, "carol", "r1").buyers_version, 0U);
}

// Each test binary instantiates the suites of the backends it links.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StockStoreContract);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(HoldsContract);

}  // namespace flashsale::testing
