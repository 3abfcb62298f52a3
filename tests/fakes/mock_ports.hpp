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
  MOCK_METHOD(void, Reserve, (const domain::Reservation&, ports::ReserveDone), (override));
  MOCK_METHOD(bool, DrawsRateBuckets, (), (const, override));
  MOCK_METHOD(void, Checkout, (const domain::HoldRequest&, ports::CheckoutDone), (override));
  MOCK_METHOD(void, Complete, (const domain::Completion&, ports::CompleteDone), (override));
  MOCK_METHOD(domain::Result<std::size_t>, ExpireHolds,
              (const domain::SaleId&, domain::TimePoint, std::size_t), (override));
  MOCK_METHOD(domain::Result<bool>, Retire,
              (const domain::SaleId&, domain::TimePoint, std::chrono::milliseconds), (override));
  MOCK_METHOD(domain::Result<std::vector<domain::SaleId>>, LiveSales, (), (override));
  MOCK_METHOD(domain::Result<ports::StoreAudit>, Audit, (const domain::SaleId&), (override));
  MOCK_METHOD(domain::Result<bool>, CloseSale, (const domain::SaleId&, domain::TimePoint),
              (override));
  MOCK_METHOD(domain::Result<bool>, Release, (const domain::Order&, domain::Outcome), (override));
  MOCK_METHOD(domain::Result<bool>, Load, (const domain::Sale&), (override));
  MOCK_METHOD(domain::Result<ports::StockSnapshot>, Snapshot, (const domain::SaleId&), (override));
  MOCK_METHOD(domain::Result<std::optional<domain::OrderStatus>>, FindOrderStatus,
              (const domain::SaleId&, const domain::OrderId&), (override));
  MOCK_METHOD(void, FetchBuyers, (const domain::SaleId&, ports::BuyersDone), (override));
  MOCK_METHOD(void, OnUnitsReturned, (ports::UnitsReturnedListener), (override));
};

class MockOrderQueue : public ports::OrderQueue {
 public:
  MOCK_METHOD(domain::Result<std::vector<ports::QueuedEntry>>, Pull,
              (std::string_view, std::size_t, std::chrono::milliseconds), (override));
  MOCK_METHOD(domain::Result<void>, Ack, (const std::vector<std::string>&), (override));
  MOCK_METHOD(domain::Result<std::vector<ports::QueuedEntry>>, ReclaimStale,
              (std::string_view, std::chrono::milliseconds, std::size_t), (override));
  MOCK_METHOD(domain::Result<std::size_t>, Depth, (), (override));
};

class MockOrderRepository : public ports::OrderRepository {
 public:
  MOCK_METHOD(domain::Result<std::vector<ports::SaveResult>>, SaveBatch,
              (std::span<const domain::Order>), (override));
  MOCK_METHOD(domain::Result<void>, SaveAttempts, (std::span<const domain::CheckoutAttempt>),
              (override));
  MOCK_METHOD(domain::Result<std::optional<domain::Order>>, Find, (const domain::OrderId&),
              (override));
  MOCK_METHOD(domain::Result<std::int64_t>, CountSold,
              (const domain::SaleId&, const domain::ItemId&), (override));
  MOCK_METHOD(domain::Result<ports::SaleAudit>, Audit,
              (const domain::SaleId&, std::optional<domain::QueuePosition>), (override));
};

class MockMetrics : public ports::Metrics {
 public:
  MOCK_METHOD(void, PurchaseAnswered, (domain::Outcome, std::chrono::nanoseconds), (override));
  MOCK_METHOD(void, CheckoutAnswered, (domain::Outcome, std::chrono::nanoseconds), (override));
  MOCK_METHOD(void, CompletionAnswered, (domain::Outcome, std::chrono::nanoseconds), (override));
  MOCK_METHOD(void, HoldsExpired, (std::size_t), (override));
  MOCK_METHOD(void, BatchSaved, (std::size_t, std::chrono::nanoseconds), (override));
  MOCK_METHOD(void, OrdersPersisted, (std::size_t), (override));
  MOCK_METHOD(void, OrdersFailed, (std::size_t), (override));
  MOCK_METHOD(void, PersistRetried, (), (override));
};

/// Hands out "ORDER-1", "ORDER-2", ..., "ATTEMPT-1", ... and checkout codes with secrets
/// 0000...01, 0000...02, ... Thread-safe.
class SequentialIds : public ports::IdGenerator {
 public:
  domain::OrderId Next() override {
    return *domain::OrderId::Parse("ORDER-" + std::to_string(++next_));
  }
  domain::AttemptId NextAttempt() override {
    return *domain::AttemptId::Parse("ATTEMPT-" + std::to_string(++next_));
  }
  domain::CheckoutCode NextCheckoutCode(const domain::SaleId& sale) override {
    std::string secret = std::to_string(++next_);
    secret.insert(0, domain::CheckoutCode::kSecretChars - secret.size(), '0');
    return *domain::CheckoutCode::Make(secret, sale);
  }

 private:
  std::atomic<int> next_{0};
};

}  // namespace flashsale::testing
