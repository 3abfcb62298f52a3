#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

#include "flashsale/ports/order_repository.hpp"
#include "flashsale/ports/sale_repository.hpp"

namespace flashsale::memory {

/// In-process OrderRepository with the MySQL contract: idempotent batches, the stock guard
/// (sold + n <= stock, from `sales`), unique (sale, user, request), failed orders recorded.
/// SetFailing(true) makes every call Unavailable, to rehearse outages. Thread-safe.
class MemoryOrderRepository final : public ports::OrderRepository {
 public:
  explicit MemoryOrderRepository(ports::SaleRepository& sales);

  domain::Result<std::vector<ports::SaveResult>> SaveBatch(
      std::span<const domain::Order> orders) override;
  domain::Result<void> SaveAttempts(std::span<const domain::CheckoutAttempt> attempts) override;
  domain::Result<std::optional<domain::Order>> Find(const domain::OrderId& id) override;
  domain::Result<std::int64_t> CountSold(const domain::SaleId& sale,
                                         const domain::ItemId& item) override;
  domain::Result<ports::SaleAudit> Audit(const domain::SaleId& sale,
                                         std::optional<domain::QueuePosition> up_to) override;

  void SetFailing(bool failing) noexcept { failing_.store(failing); }
  /// Orders stored (confirmed and failed).
  std::size_t size() const;

 private:
  struct Stored {
    domain::Order order;
    ports::SaveResult result;
  };
  /// What one SaveBatch adds, applied only when the whole batch is decided.
  struct Batch {
    std::unordered_map<std::string, Stored> rows;                // order id -> stored
    std::unordered_map<std::string, std::string> requests;       // request key -> id
    std::unordered_map<std::string, std::int64_t> sold;          // item key -> units
    std::unordered_map<std::string, ports::SaveResult> refused;  // not stored
  };
  /// The answer for one order (stored state plus the batch so far); Unavailable when the
  /// sale repository fails.
  domain::Result<ports::SaveResult> Decide(const domain::Order& order, Batch& batch);

  ports::SaleRepository& sales_;
  std::atomic<bool> failing_{false};
  mutable std::mutex mu_;
  std::unordered_map<std::string, Stored> orders_;                     // order id -> order
  std::unordered_map<std::string, std::string> by_request_;            // sale/user/request -> id
  std::unordered_map<std::string, std::int64_t> sold_;                 // sale/item -> units
  std::unordered_map<std::string, domain::CheckoutAttempt> attempts_;  // attempt id -> attempt
};

}  // namespace flashsale::memory
