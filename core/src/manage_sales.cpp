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

domain::Result<void> ManageSales::Publish(const domain::Sale& sale) {
  if (sale.ends_at <= clock_.Now()) {
    return domain::Error{domain::Outcome::kInvalidRequest, "ends_at is in the past"};
  }
  if (auto valid = sale.Validate(); !valid) return valid.error();
  if (auto created = sales_.Create(sale); !created) return created.error();
  (void)store_.Load(sale);  // on failure the catalog refresh loads it (see the header)
  return domain::Ok();
}

domain::Result<domain::Sale> ManageSales::Close(std::string_view sale_id) {
  auto id = domain::SaleId::Parse(sale_id);
  if (!id) return id.error();
  const domain::TimePoint now = clock_.Now();
  auto closed = store_.CloseSale(*id, now);
  if (!closed && closed.error().outcome != domain::Outcome::kNotFound) return closed.error();
  return sales_.Close(*id, now);  // NotFound in the store: not loaded (or retired) there
}

domain::Result<std::vector<domain::Sale>> ManageSales::List() { return sales_.List(); }

domain::Result<domain::Sale> ManageSales::Find(std::string_view sale_id) {
  auto id = domain::SaleId::Parse(sale_id);
  if (!id) return id.error();
  auto found = sales_.Find(*id);
  if (!found) return found.error();
  if (!found->has_value()) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  return std::move(**found);
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
