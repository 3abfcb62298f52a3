#pragma once

// The StockStore contract, written once and instantiated per backend:
//   INSTANTIATE_TEST_SUITE_P(Memory, StockStoreContract, ::testing::Values(factory));
//   INSTANTIATE_TEST_SUITE_P(Memory, HoldsContract, ::testing::Values(factory));

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "flashsale/domain/sale.hpp"
#include "flashsale/ports/order_queue.hpp"
#include "flashsale/ports/stock_store.hpp"
#include "reserve_sync.hpp"

namespace flashsale::testing {

/// One backend under test: a store and the queue it enqueues into.
class StockStoreHarness {
 public:
  virtual ~StockStoreHarness() = default;
  virtual ports::StockStore& store() = 0;
  virtual ports::OrderQueue& queue() = 0;
  /// Called after a sale was loaded (a Redis queue must watch the sale's stream).
  virtual void Track(const domain::Sale& /*sale*/) {}
  /// True when the store splits sales into sub-stocks (Redis, item_shards > 1): a purchase's
  /// `remaining` then counts the buyer's sub-stock only.
  virtual bool SplitsSales() const { return false; }
};

/// Makes a fresh harness per test; `name` shows up in test listings.
struct HarnessFactory {
  std::string name;
  std::function<std::unique_ptr<StockStoreHarness>()> make;
};
inline void PrintTo(const HarnessFactory& factory, std::ostream* os) { *os << factory.name; }

class StockStoreContract : public ::testing::TestWithParam<HarnessFactory> {
 public:
  /// The contract's "now": every reservation happens at this instant unless a test moves it.
  static constexpr std::int64_t kNowMs = 1'800'000'000'000;

 protected:
  void SetUp() override;
  /// A sale id unique to this test run, so backends shared between tests never collide.
  std::string UniqueSaleId();
  /// Loads a sale with one item "item-1" (price 999) open around kNow.
  domain::Sale LoadSale(std::int64_t stock, std::int32_t limit);
  domain::PurchaseReply Buy(const domain::Sale& sale, std::string_view user,
                            std::string_view request, std::int32_t quantity = 1,
                            std::string_view item = "item-1", std::string_view order_id = "");
  std::int64_t Remaining(const domain::Sale& sale, std::string_view item = "item-1");
  /// Drains every order currently in the queue (delivered to consumer "contract").
  std::vector<ports::QueuedEntry> DrainQueue();
  /// Drains the queue and keeps the entries of `sale` (a shared backend may hold others).
  std::vector<ports::QueuedEntry> DrainSale(const domain::Sale& sale);

  /// Checkout of one unit of `item` by `user` at `now_ms` (default kNowMs), held for `ttl`.
  /// `request` empty: no request id. The code's secret is unique to the test run.
  domain::CheckoutReply Hold(const domain::Sale& sale, std::string_view user,
                             std::string_view request = "", std::string_view item = "item-1",
                             std::int64_t now_ms = kNowMs,
                             std::chrono::milliseconds ttl = std::chrono::minutes(10));
  /// Completion of `code` at `now_ms` with the caller's `request` id (empty: none).
  domain::CompleteReply Redeem(const domain::CheckoutCode& code, std::string_view request = "",
                               std::int64_t now_ms = kNowMs);
  /// A fresh, valid, never-issued code of `sale`.
  domain::CheckoutCode FreshCode(const domain::SaleId& sale);

  std::unique_ptr<StockStoreHarness> harness_;
  std::atomic<int> next_order_{0};
};

/// The two-step flow (checkout holds, holds_contract.cpp): a suite of its own, since a Redis
/// sale split into sub-stocks offers one-step purchases only.
class HoldsContract : public StockStoreContract {};

}  // namespace flashsale::testing
