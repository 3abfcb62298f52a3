#pragma once

#include <gmock/gmock.h>

#include "flashsale/ports/clock.hpp"
#include "flashsale/ports/id_generator.hpp"
#include "flashsale/ports/metrics.hpp"
#include "flashsale/ports/order_queue.hpp"
#include "flashsale/ports/order_repository.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::testing {

class MockStockStore : public ports::StockStore {
 public:
  MOCK_METHOD(void, Reserve, (const core::Reservation&, ports::ReserveDone), (override));
  MOCK_METHOD(core::Result<bool>, Release, (const core::Order&, core::Outcome), (override));
  MOCK_METHOD(core::Result<bool>, Load, (const core::Sale&), (override));
  MOCK_METHOD(core::Result<ports::StockSnapshot>, Snapshot, (const core::SaleId&), (override));
  MOCK_METHOD(core::Result<std::optional<core::OrderStatus>>, FindOrderStatus,
              (const core::SaleId&, const core::OrderId&), (override));
  MOCK_METHOD(void, FetchBuyers, (const core::SaleId&, ports::BuyersDone), (override));
  MOCK_METHOD(void, OnUnitsReturned, (ports::UnitsReturnedListener), (override));
};

class MockOrderQueue : public ports::OrderQueue {
 public:
  MOCK_METHOD(core::Result<std::vector<ports::QueuedOrder>>, Pull,
              (std::string_view, std::size_t, std::chrono::milliseconds), (override));
  MOCK_METHOD(core::Result<void>, Ack, (const std::vector<std::string>&), (override));
  MOCK_METHOD(core::Result<std::vector<ports::QueuedOrder>>, ReclaimStale,
              (std::string_view, std::chrono::milliseconds, std::size_t), (override));
  MOCK_METHOD(core::Result<std::size_t>, Depth, (), (override));
};

class MockOrderRepository : public ports::OrderRepository {
 public:
  MOCK_METHOD(core::Result<std::vector<ports::SaveResult>>, SaveBatch,
              (std::span<const core::Order>), (override));
  MOCK_METHOD(core::Result<std::optional<core::Order>>, Find, (const core::OrderId&), (override));
  MOCK_METHOD(core::Result<std::int64_t>, CountSold, (const core::SaleId&, const core::ItemId&),
              (override));
  MOCK_METHOD(core::Result<ports::SaleAudit>, Audit, (const core::SaleId&), (override));
};

class MockMetrics : public ports::Metrics {
 public:
  MOCK_METHOD(void, PurchaseAnswered, (core::Outcome, std::chrono::nanoseconds), (override));
  MOCK_METHOD(void, BatchSaved, (std::size_t, std::chrono::nanoseconds), (override));
  MOCK_METHOD(void, OrdersPersisted, (std::size_t), (override));
  MOCK_METHOD(void, OrdersFailed, (std::size_t), (override));
  MOCK_METHOD(void, PersistRetried, (), (override));
};

/// Hands out "ORDER-1", "ORDER-2", ... Thread-safe.
class SequentialIds : public ports::IdGenerator {
 public:
  core::OrderId Next() override {
    return *core::OrderId::Parse("ORDER-" + std::to_string(++next_));
  }

 private:
  std::atomic<int> next_{0};
};

}  // namespace flashsale::testing
