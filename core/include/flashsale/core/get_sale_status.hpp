#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flashsale/core/sale_catalog.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::core {

struct ItemStatus {
  domain::ItemId id;
  std::string name;
  std::int64_t price_cents = 0;
  std::int64_t stock = 0;      ///< initial units
  std::int64_t remaining = 0;  ///< on sale now
  std::int64_t held = 0;       ///< held by checkouts not yet redeemed or expired
  std::int64_t sold = 0;       ///< stock - remaining - held (pending + persisted)
};

struct SaleStatus {
  domain::Sale sale;
  bool active = false;
  std::int64_t remaining = 0;
  std::int64_t held = 0;
  std::int64_t sold = 0;
  std::vector<ItemStatus> items;
};

/// A sale's live state: its definition (catalog) and its stock (store). Blocking; call it off
/// I/O threads. Thread-safe.
class GetSaleStatus {
 public:
  /// A status asked for no sale shows SaleCatalog::DefaultAt(now, `preferred`): the sale that
  /// purchases naming no sale go to.
  GetSaleStatus(SaleCatalog& catalog, ports::StockStore& store, const ports::Clock& clock,
                std::optional<domain::SaleId> preferred = std::nullopt);

  /// `sale_id` empty: the sale open now. InvalidRequest for a malformed id, NotFound when
  /// there is no such sale (or none is open), Unavailable when a backend can't be reached.
  domain::Result<SaleStatus> Execute(std::string_view sale_id);

 private:
  SaleCatalog& catalog_;
  ports::StockStore& store_;
  const ports::Clock& clock_;
  std::optional<domain::SaleId> preferred_;
};

}  // namespace flashsale::core
