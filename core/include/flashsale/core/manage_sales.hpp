#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "flashsale/domain/result.hpp"
#include "flashsale/domain/sale.hpp"
#include "flashsale/ports/clock.hpp"
#include "flashsale/ports/sale_repository.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::core {

/// Creates sales in the system of record and makes their stock live in the stock store.
/// The repository is the source of truth; the store is loaded once per sale (Load never
/// overwrites a live sale), so running this from several instances is harmless.
/// Blocking; thread-safe.
class ManageSales {
 public:
  ManageSales(ports::SaleRepository& sales, ports::StockStore& store, const ports::Clock& clock);

  /// Validates, stores, loads. InvalidRequest, DuplicateRequest (the id exists), Unavailable.
  domain::Result<void> Create(const domain::Sale& sale);

  /// Create, or when a sale with this id exists already (another instance created it), makes
  /// the stored one live in the store (Load never overwrites). true when created by this
  /// call. InvalidRequest, Unavailable.
  domain::Result<bool> Ensure(const domain::Sale& sale);

  /// Create for an operator: also InvalidRequest when the window has already ended. Once the
  /// record is written the sale exists: if making it live in the store fails then (Redis
  /// down), the periodic catalog refresh loads it later, and this still succeeds (a retry
  /// would only get DuplicateRequest).
  domain::Result<void> Publish(const domain::Sale& sale);

  /// Ends a sale now (SaleRepository::Close's rule), in the store first so that new
  /// purchases stop at once, then in the system of record. Idempotent: an ended sale is
  /// returned as it is. InvalidRequest for a malformed id, NotFound, Unavailable (retry: a
  /// half-done close completes).
  domain::Result<domain::Sale> Close(std::string_view sale_id);

  /// Every sale, oldest start first.
  domain::Result<std::vector<domain::Sale>> List();
  /// One sale: InvalidRequest for a malformed id, NotFound for an unknown one.
  domain::Result<domain::Sale> Find(std::string_view sale_id);

  /// Loads every sale that has not ended into the store (at start-up, after a store wipe).
  /// Returns how many were loaded by this call (already-live sales don't count).
  domain::Result<std::size_t> LoadOpenSales();

 private:
  ports::SaleRepository& sales_;
  ports::StockStore& store_;
  const ports::Clock& clock_;
};

}  // namespace flashsale::core
