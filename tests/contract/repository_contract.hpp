#pragma once

// The SaleRepository and OrderRepository contracts, written once and instantiated per backend:
//   INSTANTIATE_TEST_SUITE_P(Memory, OrderRepositoryContract, ::testing::Values(factory));
//   INSTANTIATE_TEST_SUITE_P(Memory, SaleRepositoryContract, ::testing::Values(factory));
// Tests use ids unique to the run, so a backend may be shared between tests.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "flashsale/domain/sale.hpp"
#include "flashsale/ports/order_repository.hpp"
#include "flashsale/ports/sale_repository.hpp"

namespace flashsale::testing {

/// One backend under test: the two repositories of the system of record.
class RepositoryHarness {
 public:
  virtual ~RepositoryHarness() = default;
  virtual ports::SaleRepository& sales() = 0;
  virtual ports::OrderRepository& orders() = 0;
};

struct RepositoryFactory {
  std::string name;
  std::function<std::unique_ptr<RepositoryHarness>()> make;
};
inline void PrintTo(const RepositoryFactory& factory, std::ostream* os) { *os << factory.name; }

class RepositoryContractBase : public ::testing::TestWithParam<RepositoryFactory> {
 protected:
  void SetUp() override { harness_ = GetParam().make(); }
  /// A sale id unique to this run (prefix `tag`).
  static std::string UniqueId(const std::string& tag);
  /// Creates a sale with one item "item-1" (stock `stock`, price 999, limit 10).
  domain::Sale CreateSale(std::int64_t stock);
  /// An order of `sale` whose id is unique to the sale ("<sale>-<suffix>").
  domain::Order Order(const domain::Sale& sale, const std::string& suffix,
                      const std::string& item = "item-1", const std::string& user = "u1",
                      const std::string& request = "", std::int32_t quantity = 1) const;

  std::unique_ptr<RepositoryHarness> harness_;
};

class SaleRepositoryContract : public RepositoryContractBase {};
class OrderRepositoryContract : public RepositoryContractBase {};

}  // namespace flashsale::testing
