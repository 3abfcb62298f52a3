#include "flashsale/core/manage_sales.hpp"

namespace flashsale::core {

ManageSales::ManageSales(ports::SaleRepository& sales, ports::StockStore& store,
                         const ports::Clock& clock)
    : sales_(sales), store_(store), clock_(clock) {}

domain::Result<void> ManageSales::Create(const domain::Sale& sale) {
  if (auto valid = sale.Validate(); !valid) return valid.error();
  if (auto created = sales_.Create(sale); !created) return created.error();
  auto loaded = store_.Load(sale);
  if (!loaded) return loaded.error();  // stored; LoadOpenSales will load it later
  return domain::Ok();
}

domain::Result<bool> ManageSales::Ensure(const domain::Sale& sale) {
  auto created = Create(sale);
  if (created) return true;
  if (created.error().outcome != domain::Outcome::kDuplicateRequest) return created.error();
  auto stored = sales_.Find(sale.id);
  if (!stored) return stored.error();
  if (!stored->has_value()) return domain::Error{domain::Outcome::kInternal, "sale vanished"};
  auto loaded = store_.Load(**stored);
  if (!loaded) return loaded.error();
  return false;
}

domain::Result<std::size_t> ManageSales::LoadOpenSales() {
  auto all = sales_.List();
  if (!all) return all.error();
  const domain::TimePoint now = clock_.Now();
  std::size_t loaded = 0;
  for (const domain::Sale& sale : *all) {
    if (sale.ends_at <= now) continue;
    auto result = store_.Load(sale);
    if (!result) return result.error();
    if (*result) ++loaded;
  }
  return loaded;
}

}  // namespace flashsale::core
