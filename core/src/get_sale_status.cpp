#include "flashsale/core/get_sale_status.hpp"

namespace flashsale::core {

GetSaleStatus::GetSaleStatus(SaleCatalog& catalog, ports::StockStore& store,
                             const ports::Clock& clock, std::optional<domain::SaleId> preferred)
    : catalog_(catalog), store_(store), clock_(clock), preferred_(std::move(preferred)) {}

domain::Result<SaleStatus> GetSaleStatus::Execute(std::string_view sale_id) {
  const domain::TimePoint now = clock_.Now();
  std::optional<domain::SaleId> id;
  if (sale_id.empty()) {
    id = catalog_.DefaultAt(now, preferred_);
    if (!id) return domain::Error{domain::Outcome::kNotFound, "no sale is open now"};
  } else {
    auto parsed = domain::SaleId::Parse(sale_id);
    if (!parsed) return parsed.error();
    id = std::move(*parsed);
  }
  auto found = catalog_.Find(*id);  // cached when it is the default: no blocking read
  if (!found) return found.error();
  if (!found->has_value()) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  std::optional<domain::Sale> sale = std::move(**found);
  auto snapshot = store_.Snapshot(sale->id);
  if (!snapshot) return snapshot.error();
  SaleStatus status{*sale, sale->IsActiveAt(now), 0, 0, 0, {}};
  for (const auto& item : sale->items) {
    ItemStatus s{item.id, item.name, item.price_cents, item.stock, 0, 0, 0};
    for (const auto& stock : snapshot->items) {
      if (stock.item == item.id) {
        s.remaining = stock.remaining;
        s.held = stock.held;
      }
    }
    s.sold = s.stock - s.remaining - s.held;
    status.remaining += s.remaining;
    status.held += s.held;
    status.sold += s.sold;
    status.items.push_back(std::move(s));
  }
  return status;
}

}  // namespace flashsale::core
