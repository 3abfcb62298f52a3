#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "flashsale/domain/sale.hpp"
#include "flashsale/ports/clock.hpp"
#include "flashsale/ports/sale_repository.hpp"

namespace flashsale::core {

/// A cache of the sales that matter now (open, upcoming, or ended less than `horizon` ago),
/// refreshed from the repository by a background task, so that request threads resolve "the
/// sale open now" and read sale definitions without touching the repository. Thread-safe.
class SaleCatalog {
 public:
  SaleCatalog(ports::SaleRepository& sales, const ports::Clock& clock,
              std::chrono::milliseconds horizon);

  /// Reloads the cache (blocking). On failure the previous cache stays.
  domain::Result<void> Refresh();

  /// The sale open at `now` (the latest-started one when several overlap); nullopt when none
  /// is open. From the cache: never blocks.
  std::optional<domain::Sale> OpenAt(domain::TimePoint now) const;

  /// The sale a request naming none goes to: `preferred` while it is cached and open at
  /// `now`, otherwise the sale open at `now` (as OpenAt); nullopt when none is open. From the
  /// cache: never blocks, copies no sale.
  std::optional<domain::SaleId> DefaultAt(domain::TimePoint now,
                                          const std::optional<domain::SaleId>& preferred) const;

  /// A sale from the cache, or from the repository when it is not cached (blocking then).
  /// nullopt for an unknown sale.
  domain::Result<std::optional<domain::Sale>> Find(const domain::SaleId& id);

  /// Every cached sale.
  std::vector<domain::Sale> Recent() const;

 private:
  using Sales = std::vector<domain::Sale>;

  ports::SaleRepository& sales_;
  const ports::Clock& clock_;
  std::chrono::milliseconds horizon_;
  mutable std::shared_mutex mu_;
  std::shared_ptr<const Sales> cache_ = std::make_shared<Sales>();
};

}  // namespace flashsale::core
