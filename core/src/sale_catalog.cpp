#include "flashsale/core/sale_catalog.hpp"

namespace flashsale::core {

SaleCatalog::SaleCatalog(ports::SaleRepository& sales, const ports::Clock& clock,
                         std::chrono::milliseconds horizon)
    : sales_(sales), clock_(clock), horizon_(horizon) {}

domain::Result<void> SaleCatalog::Refresh() {
  auto listed = sales_.ListEndingAfter(clock_.Now() - horizon_);
  if (!listed) return listed.error();
  auto fresh = std::make_shared<const Sales>(std::move(*listed));
  std::unique_lock lock(mu_);
  cache_ = std::move(fresh);
  return domain::Ok();
}

std::optional<domain::Sale> SaleCatalog::OpenAt(domain::TimePoint now) const {
  std::shared_ptr<const Sales> sales;
  {
    std::shared_lock lock(mu_);
    sales = cache_;
  }
  const domain::Sale* best = nullptr;
  for (const auto& sale : *sales) {
    if (sale.IsActiveAt(now) && (best == nullptr || sale.starts_at > best->starts_at)) {
      best = &sale;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

std::optional<domain::SaleId> SaleCatalog::DefaultAt(
    domain::TimePoint now, const std::optional<domain::SaleId>& preferred) const {
  std::shared_ptr<const Sales> sales;
  {
    std::shared_lock lock(mu_);
    sales = cache_;
  }
  const domain::Sale* best = nullptr;
  for (const auto& sale : *sales) {
    if (!sale.IsActiveAt(now)) continue;
    if (preferred && sale.id == *preferred) return sale.id;
    if (best == nullptr || sale.starts_at > best->starts_at) best = &sale;
  }
  if (best == nullptr) return std::nullopt;
  return best->id;
}

domain::Result<std::optional<domain::Sale>> SaleCatalog::Find(const domain::SaleId& id) {
  {
    std::shared_lock lock(mu_);
    for (const auto& sale : *cache_) {
      if (sale.id == id) return std::optional<domain::Sale>{sale};
    }
  }
  return sales_.Find(id);
}

std::vector<domain::Sale> SaleCatalog::Recent() const {
  std::shared_lock lock(mu_);
  return *cache_;
}

}  // namespace flashsale::core
