#pragma once

#include <optional>
#include <vector>

#include "flashsale/core/result.hpp"
#include "flashsale/core/sale.hpp"

namespace flashsale::ports {

/// The source of truth for sales, their items, stock, prices and windows.
class SaleRepository {
 public:
  virtual ~SaleRepository() = default;

  /// Stores a new sale with its items. InvalidRequest for an invalid sale, DuplicateRequest
  /// when a sale with that id exists (nothing changed). Thread-safe.
  virtual core::Result<void> Create(const core::Sale& sale) = 0;

  /// The sale, nullopt when unknown. Thread-safe.
  virtual core::Result<std::optional<core::Sale>> Find(const core::SaleId& id) = 0;

  /// All sales, oldest start first. Thread-safe.
  virtual core::Result<std::vector<core::Sale>> List() = 0;
};

}  // namespace flashsale::ports
