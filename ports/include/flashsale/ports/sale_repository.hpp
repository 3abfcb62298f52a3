#pragma once

#include <optional>
#include <vector>

#include "flashsale/domain/result.hpp"
#include "flashsale/domain/sale.hpp"

namespace flashsale::ports {

/// The source of truth for sales, their items, stock, prices and windows.
class SaleRepository {
 public:
  virtual ~SaleRepository() = default;

  /// Stores a new sale with its items. InvalidRequest for an invalid sale, DuplicateRequest
  /// when a sale with that id exists (nothing changed). Thread-safe.
  virtual domain::Result<void> Create(const domain::Sale& sale) = 0;

  /// The sale, nullopt when unknown. Thread-safe.
  virtual domain::Result<std::optional<domain::Sale>> Find(const domain::SaleId& id) = 0;

  /// All sales, oldest start first. Thread-safe.
  virtual domain::Result<std::vector<domain::Sale>> List() = 0;

  /// Sales that end after `t` (open now, upcoming, or ended after t), oldest start first.
  /// Thread-safe.
  virtual domain::Result<std::vector<domain::Sale>> ListEndingAfter(domain::TimePoint t) = 0;

  /// Ends a sale early: ends_at becomes `at` when it was later (and starts_at moves to
  /// `at` - 1 ms when the sale had not started, so the window stays valid and in the past).
  /// A sale that had ended by `at` is left as it is. Returns the sale as stored now;
  /// NotFound for an unknown sale. Thread-safe.
  virtual domain::Result<domain::Sale> Close(const domain::SaleId& id, domain::TimePoint at) = 0;
};

}  // namespace flashsale::ports
