#pragma once

// The OrderQueue contract, written once and instantiated per backend with the same harness
// as the StockStore contract (orders reach a queue through its backend's Reserve):
//   INSTANTIATE_TEST_SUITE_P(Memory, OrderQueueContract, ::testing::Values(factory));
// A harness must give every test a queue of its own (no other test's orders in it).

#include "stock_store_contract.hpp"

namespace flashsale::testing {

class OrderQueueContract : public ::testing::TestWithParam<HarnessFactory> {
 protected:
  void SetUp() override;
  /// Loads a sale with plenty of stock and reserves one order per id in `ids` (user = id).
  void Enqueue(const std::vector<std::string>& ids);
  std::vector<std::string> Ids(const std::vector<ports::QueuedEntry>& orders) const;
  std::vector<std::string> Receipts(const std::vector<ports::QueuedEntry>& orders) const;

  std::unique_ptr<StockStoreHarness> harness_;
  std::optional<domain::Sale> sale_;
};

}  // namespace flashsale::testing
