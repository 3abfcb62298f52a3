// The StockStore contract, part two: checkout holds, completion, expiry and retirement
// (DESIGN.md section 8). Same fixture and backends as stock_store_contract.cpp.
#include <algorithm>
#include <atomic>
#include <latch>
#include <map>
#include <thread>

#include "builders.hpp"
#include "stock_store_contract.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;

constexpr std::int64_t kNow = StockStoreContract::kNowMs;

domain::TimePoint Now() { return domain::FromUnixMillis(kNow); }

std::int64_t Held(ports::StockStore& store, const domain::Sale& sale) {
  auto snapshot = store.Snapshot(sale.id);
  EXPECT_TRUE(snapshot.ok());
  return snapshot ? snapshot->items.at(0).held : -1;
}

std::vector<domain::CheckoutAttempt> Attempts(const std::vector<ports::QueuedEntry>& entries) {
  std::vector<domain::CheckoutAttempt> out;
  for (const auto& e : entries) {
    if (e.attempt) out.push_back(*e.attempt);
  }
  return out;
}

}  // namespace

TEST_P(HoldsContract, CheckoutHoldsOneUnitAndRecordsTheAttempt) {
  domain::Sale sale = LoadSale(5, 10);
  auto reply = Hold(sale, "alice");
  ASSERT_EQ(reply.outcome, Outcome::kAccepted) << reply.detail;
  ASSERT_TRUE(reply.code.has_value());
  EXPECT_EQ(reply.code->sale(), sale.id);
  EXPECT_EQ(domain::ToUnixMillis(reply.expires_at), kNow + 600'000);
  EXPECT_EQ(reply.remaining, 4);
  EXPECT_EQ(reply.unit_price_cents, 999);
  EXPECT_EQ(reply.item_name, "item-1");
  EXPECT_FALSE(reply.replayed);
  EXPECT_EQ(Remaining(sale), 4);
  EXPECT_EQ(Held(harness_->store(), sale), 1);

  auto entries = DrainSale(sale);
  ASSERT_EQ(entries.size(), 1U);
  ASSERT_TRUE(entries[0].attempt.has_value());
  const domain::CheckoutAttempt& attempt = *entries[0].attempt;
  EXPECT_EQ(attempt.outcome, Outcome::kAccepted);
  EXPECT_EQ(attempt.user.str(), "alice");
  EXPECT_EQ(attempt.item.str(), "item-1");
  ASSERT_TRUE(attempt.code.has_value());
  EXPECT_EQ(*attempt.code, *reply.code);
  EXPECT_EQ(domain::ToUnixMillis(*attempt.expires_at), kNow + 600'000);
  EXPECT_EQ(domain::ToUnixMillis(attempt.created_at), kNow);
}

TEST_P(HoldsContract, EveryRefusedCheckoutIsRecordedWithItsOutcome) {
  domain::Sale sale = LoadSale(1, 1);
  ASSERT_EQ(Hold(sale, "alice").outcome, Outcome::kAccepted);
  EXPECT_EQ(Hold(sale, "alice").outcome, Outcome::kSoldOut);
  EXPECT_EQ(Hold(sale, "bob", "", "no-such-item").outcome, Outcome::kUnknownItem);
  EXPECT_EQ(Hold(sale, "bob", "", "item-1", kNow + 3'600'000).outcome, Outcome::kSaleNotActive);
  domain::Sale ghost = MakeSale(UniqueSaleId(), 1, 1, Now(), Now() + std::chrono::hours(1));
  EXPECT_EQ(Hold(ghost, "bob").outcome, Outcome::kUnknownItem);  // no such sale: not recorded

  auto attempts = Attempts(DrainSale(sale));
  std::vector<std::string> outcomes;
  for (const auto& a : attempts) outcomes.emplace_back(domain::ToString(a.outcome));
  std::sort(outcomes.begin(), outcomes.end());
  EXPECT_EQ(outcomes,
            (std::vector<std::string>{"accepted", "sale_not_active", "sold_out", "unknown_item"}));
  for (const auto& a : attempts) {
    EXPECT_EQ(a.code.has_value(), a.outcome == Outcome::kAccepted);
  }
}

TEST_P(HoldsContract, HoldsCountTowardsTheLimitAndTheStock) {
  domain::Sale sale = LoadSale(3, 2);
  ASSERT_EQ(Hold(sale, "alice").outcome, Outcome::kAccepted);
  ASSERT_EQ(Buy(sale, "alice", "p1").outcome, Outcome::kAccepted);
  EXPECT_EQ(Hold(sale, "alice").outcome, Outcome::kUserLimitReached);
  EXPECT_EQ(Buy(sale, "alice", "p2").outcome, Outcome::kUserLimitReached);
  ASSERT_EQ(Hold(sale, "bob").outcome, Outcome::kAccepted);
  EXPECT_EQ(Buy(sale, "carol", "p1").outcome, Outcome::kSoldOut);  // the last unit is held
  EXPECT_EQ(Remaining(sale), 0);
  EXPECT_EQ(Held(harness_->store(), sale), 2);
  DrainSale(sale);
}

TEST_P(HoldsContract, CheckoutWithARequestIdReplaysTheFirstAnswer) {
  domain::Sale sale = LoadSale(5, 10);
  auto first = Hold(sale, "alice", "c1");
  ASSERT_EQ(first.outcome, Outcome::kAccepted);
  auto again = Hold(sale, "alice", "c1");
  EXPECT_EQ(again.outcome, Outcome::kAccepted);
  EXPECT_TRUE(again.replayed);
  ASSERT_TRUE(again.code.has_value());
  EXPECT_EQ(*again.code, *first.code);
  EXPECT_EQ(again.expires_at, first.expires_at);
  EXPECT_EQ(Remaining(sale), 4);
  EXPECT_EQ(Hold(sale, "alice", "c1", "item-2").outcome, Outcome::kDuplicateRequest);
  // Without a request id every call is a new attempt.
  auto a = Hold(sale, "bob");
  auto b = Hold(sale, "bob");
  ASSERT_EQ(a.outcome, Outcome::kAccepted);
  ASSERT_EQ(b.outcome, Outcome::kAccepted);
  EXPECT_FALSE(*a.code == *b.code);
  EXPECT_EQ(Remaining(sale), 2);
  EXPECT_EQ(Attempts(DrainSale(sale)).size(), 5U);  // replays and duplicates are attempts too
}

TEST_P(HoldsContract, CompletionTurnsTheHoldIntoExactlyOneOrder) {
  domain::Sale sale = LoadSale(5, 10);
  auto hold = Hold(sale, "alice");
  ASSERT_EQ(hold.outcome, Outcome::kAccepted);
  auto done = Redeem(*hold.code, "pay-1", kNow + 1000);
  ASSERT_EQ(done.outcome, Outcome::kAccepted) << done.detail;
  ASSERT_TRUE(done.order.has_value());
  const domain::Order& order = *done.order;
  EXPECT_EQ(order.sale, sale.id);
  EXPECT_EQ(order.user.str(), "alice");
  EXPECT_EQ(order.item.str(), "item-1");
  EXPECT_EQ(order.quantity.value(), 1);
  EXPECT_EQ(order.unit_price_cents, 999);
  EXPECT_EQ(order.request, hold.code->OrderRequestId());
  EXPECT_EQ(domain::ToUnixMillis(order.created_at), kNow + 1000);
  EXPECT_EQ(done.user_units, 1);
  EXPECT_EQ(done.item_name, "item-1");
  EXPECT_EQ(Remaining(sale), 4);
  EXPECT_EQ(Held(harness_->store(), sale), 0);
  EXPECT_EQ(**harness_->store().FindOrderStatus(sale.id, order.id), domain::OrderStatus::kPending);

  auto replay = Redeem(*hold.code, "pay-1", kNow + 2000);
  EXPECT_EQ(replay.outcome, Outcome::kAccepted);
  EXPECT_TRUE(replay.replayed);
  ASSERT_TRUE(replay.order.has_value());
  EXPECT_EQ(replay.order->id, order.id);
  for (std::string_view other : {"", "pay-2"}) {
    auto used = Redeem(*hold.code, other, kNow + 2000);
    EXPECT_EQ(used.outcome, Outcome::kCheckoutUsed);
    ASSERT_TRUE(used.used_by.has_value());
    EXPECT_EQ(*used.used_by, order.id);
  }
  auto entries = DrainSale(sale);
  std::size_t orders = 0;
  for (const auto& e : entries) {
    if (!e.order) continue;
    ++orders;
    EXPECT_EQ(e.order->id, order.id);
    EXPECT_EQ(e.order->request, order.request);
  }
  EXPECT_EQ(orders, 1U);
}

TEST_P(HoldsContract, UnknownCodesAreUnknown) {
  domain::Sale sale = LoadSale(5, 10);
  EXPECT_EQ(Redeem(FreshCode(sale.id)).outcome, Outcome::kUnknownCheckout);
  EXPECT_EQ(Redeem(FreshCode(MakeId<domain::SaleId>(UniqueSaleId()))).outcome,
            Outcome::kUnknownCheckout);
  EXPECT_EQ(Remaining(sale), 5);
}

TEST_P(HoldsContract, ExpiredHoldsGiveTheirUnitBackOnce) {
  domain::Sale sale = LoadSale(2, 1);
  auto hold = Hold(sale, "alice", "", "item-1", kNow, milliseconds(1000));
  ASSERT_EQ(hold.outcome, Outcome::kAccepted);
  EXPECT_EQ(*harness_->store().ExpireHolds(sale.id, domain::FromUnixMillis(kNow + 999), 100), 0U);
  EXPECT_EQ(Remaining(sale), 1);
  EXPECT_EQ(*harness_->store().ExpireHolds(sale.id, domain::FromUnixMillis(kNow + 1000), 100), 1U);
  EXPECT_EQ(*harness_->store().ExpireHolds(sale.id, domain::FromUnixMillis(kNow + 5000), 100), 0U);
  EXPECT_EQ(Remaining(sale), 2);
  EXPECT_EQ(Held(harness_->store(), sale), 0);
  EXPECT_EQ(Redeem(*hold.code, "", kNow + 1500).outcome, Outcome::kCheckoutExpired);
  EXPECT_EQ(Remaining(sale), 2);  // not twice
  // The user's count came back too: with a limit of 1 alice may hold again.
  EXPECT_EQ(Hold(sale, "alice", "", "item-1", kNow + 2000).outcome, Outcome::kAccepted);
  DrainSale(sale);
}

TEST_P(HoldsContract, ARedemptionAfterTheExpiryReturnsTheUnitAtOnce) {
  domain::Sale sale = LoadSale(1, 10);
  auto hold = Hold(sale, "alice", "", "item-1", kNow, milliseconds(1000));
  ASSERT_EQ(hold.outcome, Outcome::kAccepted);
  EXPECT_EQ(Redeem(*hold.code, "", kNow + 1000).outcome, Outcome::kCheckoutExpired);
  EXPECT_EQ(Remaining(sale), 1);  // before any sweep
  EXPECT_EQ(*harness_->store().ExpireHolds(sale.id, domain::FromUnixMillis(kNow + 2000), 100), 0U);
  EXPECT_EQ(Remaining(sale), 1);
  DrainSale(sale);
}

TEST_P(HoldsContract, ConcurrentRedemptionsOfOneCodeMakeOneOrder) {
  domain::Sale sale = LoadSale(5, 10);
  auto hold = Hold(sale, "alice");
  ASSERT_EQ(hold.outcome, Outcome::kAccepted);
  std::atomic<int> accepted{0}, used{0}, other{0};
  std::vector<std::thread> threads;
  std::latch go(100);
  for (int t = 0; t < 100; ++t) {  // 100 redemptions of one code, all released at once
    threads.emplace_back([&] {
      go.arrive_and_wait();
      auto reply = Redeem(*hold.code);
      (reply.outcome == Outcome::kAccepted       ? accepted
       : reply.outcome == Outcome::kCheckoutUsed ? used
                                                 : other)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(used.load(), 99);
  EXPECT_EQ(other.load(), 0);
  std::size_t orders = 0;
  for (const auto& e : DrainSale(sale)) orders += e.order ? 1 : 0;
  EXPECT_EQ(orders, 1U);
}

TEST_P(HoldsContract, RedemptionsRacingTheSweepNeverBothWin) {
  constexpr int kHolds = 120;
  domain::Sale sale = LoadSale(kHolds, kHolds);
  std::vector<domain::CheckoutCode> codes;
  for (int i = 0; i < kHolds; ++i) {
    auto hold = Hold(sale, "u" + std::to_string(i), "", "item-1", kNow, milliseconds(1000));
    ASSERT_EQ(hold.outcome, Outcome::kAccepted);
    codes.push_back(*hold.code);
  }
  std::atomic<int> redeemed{0}, expired_answers{0};
  std::atomic<std::size_t> swept{0};
  std::latch start(2);  // both begin together, so that they really race
  std::thread redeemer([&] {
    start.arrive_and_wait();
    for (const auto& code : codes) {
      auto reply = Redeem(code, "", kNow + 999);  // still valid, unless the sweep got it first
      (reply.outcome == Outcome::kAccepted ? redeemed : expired_answers)++;
    }
  });
  std::thread sweeper([&] {
    start.arrive_and_wait();
    for (int pass = 0; pass < 200 && swept.load() + redeemed.load() < kHolds; ++pass) {
      auto n = harness_->store().ExpireHolds(sale.id, domain::FromUnixMillis(kNow + 1000), 3);
      if (n) swept += *n;
    }
  });
  redeemer.join();
  sweeper.join();
  swept += *harness_->store().ExpireHolds(sale.id, domain::FromUnixMillis(kNow + 1000), 1000);
  EXPECT_EQ(static_cast<std::size_t>(redeemed.load()) + swept.load(),
            static_cast<std::size_t>(kHolds));
  EXPECT_EQ(static_cast<std::size_t>(expired_answers.load()), swept.load());
  EXPECT_EQ(Remaining(sale), static_cast<std::int64_t>(swept.load()));
  EXPECT_EQ(Held(harness_->store(), sale), 0);
  std::size_t orders = 0;
  for (const auto& e : DrainSale(sale)) orders += e.order ? 1 : 0;
  EXPECT_EQ(orders, static_cast<std::size_t>(redeemed.load()));
}

TEST_P(HoldsContract, ARedeemableCodeOutlivesItsSale) {
  domain::Sale sale = LoadSale(2, 10);  // open until kNow + 1 min
  auto hold = Hold(sale, "alice", "", "item-1", kNow, std::chrono::minutes(10));
  ASSERT_EQ(hold.outcome, Outcome::kAccepted);
  auto late = Redeem(*hold.code, "", kNow + 5 * 60'000);  // the sale ended 4 minutes ago
  EXPECT_EQ(late.outcome, Outcome::kAccepted) << late.detail;
  DrainSale(sale);
}

TEST_P(HoldsContract, ASaleRetiresOnlyWhenOverWithoutHoldsAndQueuedEntries) {
  domain::Sale sale = LoadSale(2, 10);
  const auto after_end = domain::FromUnixMillis(kNow + 120'000);
  auto hold = Hold(sale, "alice", "c1", "item-1", kNow, milliseconds(1000));
  ASSERT_EQ(hold.outcome, Outcome::kAccepted);
  EXPECT_FALSE(*harness_->store().Retire(sale.id, Now(), milliseconds(1)));      // not over
  EXPECT_FALSE(*harness_->store().Retire(sale.id, after_end, milliseconds(1)));  // a hold, an entry
  ASSERT_EQ(*harness_->store().ExpireHolds(sale.id, after_end, 100), 1U);
  EXPECT_FALSE(*harness_->store().Retire(sale.id, after_end, milliseconds(1)));  // the entry
  DrainSale(sale);
  EXPECT_TRUE(*harness_->store().Retire(sale.id, after_end, milliseconds(3000)));
  EXPECT_TRUE(harness_->store().Snapshot(sale.id).ok());  // still there during the retention
  auto live = harness_->store().LiveSales();
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(std::count(live->begin(), live->end(), sale.id), 0);  // no longer swept
  // A retired sale takes no checkout attempt any more (its stream is no longer read).
  EXPECT_EQ(Hold(sale, "bob", "", "item-1", kNow + 120'000).outcome, Outcome::kSaleNotActive);
  // A replay still gets the first answer (unrecorded too); another request under its id is
  // still a duplicate.
  auto replay = Hold(sale, "alice", "c1", "item-1", kNow + 120'000);
  EXPECT_EQ(replay.outcome, Outcome::kAccepted);
  EXPECT_TRUE(replay.replayed);
  ASSERT_TRUE(replay.code.has_value());
  EXPECT_EQ(*replay.code, *hold.code);
  EXPECT_EQ(Hold(sale, "alice", "c1", "item-2", kNow + 120'000).outcome,
            Outcome::kDuplicateRequest);
  EXPECT_TRUE(DrainSale(sale).empty());
  std::this_thread::sleep_for(milliseconds(3500));
  auto gone = harness_->store().Snapshot(sale.id);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().outcome, Outcome::kNotFound);
}

}  // namespace flashsale::testing

namespace flashsale::testing {

TEST_P(HoldsContract, AuditBeforeTheFirstOrderHasAPositionEveryLaterOrderIsAfter) {
  // Without a position the repository would count orders persisted after this snapshot as
  // confirmed (seen once in CI: persisted 1 against remaining 5000 at the very start).
  domain::Sale sale = LoadSale(10, 3);
  auto audit = harness_->store().Audit(sale.id);
  ASSERT_TRUE(audit.ok()) << audit.error().detail;
  ASSERT_TRUE(audit->position.has_value());
  const auto order = Buy(sale, "alice", "r1", 1);
  ASSERT_EQ(order.outcome, Outcome::kAccepted);
  bool seen = false;
  for (;;) {
    auto batch = harness_->queue().Pull("contract", 1000, milliseconds(0));
    ASSERT_TRUE(batch.ok());
    if (batch->empty()) break;
    for (const auto& q : *batch) {
      if (!q.order || q.order->id != *order.order_id) continue;
      ASSERT_TRUE(q.order->position.has_value());
      EXPECT_GT(*q.order->position, *audit->position);
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

TEST_P(HoldsContract, AuditReadsStockHoldsAndQueuedOrdersTogether) {
  domain::Sale sale = LoadSale(10, 3);
  const auto alice = Buy(sale, "alice", "r1", 2);
  const auto bob = Buy(sale, "bob", "r1", 1);
  ASSERT_EQ(alice.outcome, Outcome::kAccepted);
  ASSERT_EQ(bob.outcome, Outcome::kAccepted);
  ASSERT_EQ(Hold(sale, "carol").outcome, Outcome::kAccepted);
  ASSERT_EQ(Hold(sale, "dave", "", "no-such-item").outcome, Outcome::kUnknownItem);

  auto audit = harness_->store().Audit(sale.id);
  ASSERT_TRUE(audit.ok()) << audit.error().detail;
  ASSERT_EQ(audit->items.size(), 1U);
  EXPECT_EQ(audit->items[0].remaining, 6);
  EXPECT_EQ(audit->items[0].held, 1);
  ASSERT_EQ(audit->queued.size(), 2U);  // orders only: attempts are not orders
  std::map<std::string, std::int64_t> units;
  for (const auto& q : audit->queued) units[q.id.str()] = q.quantity;
  EXPECT_EQ(units, (std::map<std::string, std::int64_t>{{alice.order_id->str(), 2},
                                                        {bob.order_id->str(), 1}}));
  EXPECT_EQ(audit->max_user_units, 2);
  EXPECT_EQ(audit->released_orders, 0);
  EXPECT_EQ(audit->dead_letters, 0);
  ASSERT_TRUE(audit->position.has_value());

  // Delivered but not acknowledged: still queued. Every delivered order has a position no
  // later than the audit's.
  std::vector<ports::QueuedEntry> delivered;
  for (;;) {
    auto batch = harness_->queue().Pull("contract", 1000, milliseconds(0));
    ASSERT_TRUE(batch.ok());
    if (batch->empty()) break;
    for (auto& q : *batch) delivered.push_back(std::move(q));
  }
  const domain::Order* alices = nullptr;
  for (const auto& q : delivered) {
    if (!q.order || q.order->sale != sale.id) continue;
    ASSERT_TRUE(q.order->position.has_value());
    EXPECT_LE(*q.order->position, *audit->position);
    if (q.order->id == *alice.order_id) alices = &*q.order;
  }
  ASSERT_NE(alices, nullptr);
  EXPECT_EQ(harness_->store().Audit(sale.id)->queued.size(), 2U);

  // Released: out of the queue's count, its units back, one dead letter.
  ASSERT_TRUE(harness_->store().Release(*alices, Outcome::kSoldOut).ok());
  auto after = harness_->store().Audit(sale.id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->items[0].remaining, 8);
  ASSERT_EQ(after->queued.size(), 1U);
  EXPECT_EQ(after->queued[0].id, *bob.order_id);
  EXPECT_EQ(after->released_orders, 1);
  EXPECT_EQ(after->dead_letters, 1);
  EXPECT_EQ(after->max_user_units, 1);

  // Acknowledged: out of the queue. A later order moves the position forward.
  std::vector<std::string> receipts;
  for (const auto& q : delivered) receipts.push_back(q.receipt);
  ASSERT_TRUE(harness_->queue().Ack(receipts).ok());
  EXPECT_TRUE(harness_->store().Audit(sale.id)->queued.empty());
  ASSERT_EQ(Buy(sale, "erin", "r1").outcome, Outcome::kAccepted);
  auto later = harness_->store().Audit(sale.id);
  ASSERT_TRUE(later.ok());
  ASSERT_TRUE(later->position.has_value());
  EXPECT_GT(*later->position, *audit->position);
  auto erins = DrainSale(sale);
  ASSERT_EQ(erins.size(), 1U);
  EXPECT_LE(*erins[0].order->position, *later->position);
  EXPECT_GT(*erins[0].order->position, *audit->position);

  auto ghost = harness_->store().Audit(MakeId<domain::SaleId>(UniqueSaleId()));
  ASSERT_FALSE(ghost.ok());
  EXPECT_EQ(ghost.error().outcome, Outcome::kNotFound);
}

}  // namespace flashsale::testing

namespace flashsale::testing {

TEST_P(HoldsContract, CloseEndsTheSaleButKeepsOrdersAndHolds) {
  domain::Sale sale = LoadSale(10, 5);
  ASSERT_EQ(Buy(sale, "alice", "r1").outcome, Outcome::kAccepted);
  auto hold = Hold(sale, "bob");
  ASSERT_EQ(hold.outcome, Outcome::kAccepted);

  auto closed = harness_->store().CloseSale(sale.id, domain::FromUnixMillis(kNow));
  ASSERT_TRUE(closed.ok()) << closed.error().detail;
  EXPECT_TRUE(*closed);
  EXPECT_EQ(Buy(sale, "carol", "r1").outcome, Outcome::kSaleNotActive);
  EXPECT_EQ(Hold(sale, "carol").outcome, Outcome::kSaleNotActive);
  // The hold given before the close is still redeemed; the order queued before it stays.
  EXPECT_EQ(Redeem(*hold.code).outcome, Outcome::kAccepted);
  std::size_t orders = 0;
  for (const auto& entry : DrainSale(sale)) orders += entry.order ? 1 : 0;
  EXPECT_EQ(orders, 2U);
  EXPECT_EQ(Remaining(sale), 8);

  auto again = harness_->store().CloseSale(sale.id, domain::FromUnixMillis(kNow + 5));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);  // ended already: the end does not move later
  EXPECT_EQ(Buy(sale, "carol", "r2").outcome, Outcome::kSaleNotActive);

  auto ghost = harness_->store().CloseSale(MakeId<domain::SaleId>(UniqueSaleId()), Now());
  ASSERT_FALSE(ghost.ok());
  EXPECT_EQ(ghost.error().outcome, Outcome::kNotFound);
}

TEST_P(HoldsContract, ClosingASaleThatHasNotStartedMeansItNeverOpens) {
  domain::Sale sale =
      MakeSale(UniqueSaleId(), 5, 5, Now() + std::chrono::hours(1), Now() + std::chrono::hours(2));
  ASSERT_TRUE(harness_->store().Load(sale).ok());
  harness_->Track(sale);
  auto closed = harness_->store().CloseSale(sale.id, Now());
  ASSERT_TRUE(closed.ok());
  EXPECT_TRUE(*closed);
  const std::int64_t later = kNow + 90 * 60 * 1000;  // inside the original window
  EXPECT_EQ(Hold(sale, "alice", "", "item-1", later).outcome, Outcome::kSaleNotActive);
  domain::Reservation r{MakeRequest(sale.id.str(), "item-1", "alice", "r1", 1),
                        MakeId<domain::OrderId>("late"), domain::FromUnixMillis(later)};
  EXPECT_EQ(ReserveSync(harness_->store(), r).outcome, Outcome::kSaleNotActive);
}

}  // namespace flashsale::testing
