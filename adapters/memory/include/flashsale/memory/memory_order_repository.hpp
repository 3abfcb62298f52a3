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

  core::Result<std::vector<ports::SaveResult>> SaveBatch(
      std::span<const core::Order> orders) override;
  core::Result<std::optional<core::Order>> Find(const core::OrderId& id) override;
  core::Result<std::int64_t> CountSold(const core::SaleId& sale, const core::ItemId& item) override;
  core::Result<ports::SaleAudit> Audit(const core::SaleId& sale) override;

  void SetFailing(bool failing) noexcept { failing_.store(failing); }
  /// Orders stored (confirmed and failed).
  std::size_t size() const;

 private:
  struct Stored {
    core::Order order;
    ports::SaveResult result;
  };

  ports::SaleRepository& sales_;
  std::atomic<bool> failing_{false};
  mutable std::mutex mu_;
  std::unordered_map<std::string, Stored> orders_;           // order id -> order
  std::unordered_map<std::string, std::string> by_request_;  // sale/user/request -> id
  std::unordered_map<std::string, std::int64_t> sold_;       // sale/item -> units
};

}  // namespace flashsale::memory
