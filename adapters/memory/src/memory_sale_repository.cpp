#include "flashsale/memory/memory_sale_repository.hpp"

#include <algorithm>

namespace flashsale::memory {

domain::Result<void> MemorySaleRepository::Create(const domain::Sale& sale) {
  if (auto valid = sale.Validate(); !valid) return valid.error();
  std::lock_guard lock(mu_);
  if (!sales_.emplace(sale.id.str(), sale).second) {
    return domain::Error{domain::Outcome::kDuplicateRequest, "a sale with this id exists"};
  }
  return domain::Ok();
}

domain::Result<std::optional<domain::Sale>> MemorySaleRepository::Find(const domain::SaleId& id) {
  std::lock_guard lock(mu_);
  auto it = sales_.find(id.str());
  if (it == sales_.end()) return std::optional<domain::Sale>{};
  return std::optional<domain::Sale>{it->second};
}

domain::Result<std::vector<domain::Sale>> MemorySaleRepository::List() {
  std::lock_guard lock(mu_);
  std::vector<domain::Sale> out;
  for (const auto& [id, sale] : sales_) out.push_back(sale);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.starts_at < b.starts_at; });
  return out;
}

domain::Result<std::vector<domain::Sale>> MemorySaleRepository::ListEndingAfter(
    domain::TimePoint t) {
  auto all = List();
  if (!all) return all.error();
  std::erase_if(*all, [t](const domain::Sale& sale) { return sale.ends_at <= t; });
  return all;
}

domain::Result<domain::Sale> MemorySaleRepository::Close(const domain::SaleId& id,
                                                         domain::TimePoint at) {
  std::lock_guard lock(mu_);
  auto it = sales_.find(id.str());
  if (it == sales_.end()) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  it->second.CloseAt(at);
  return it->second;
}

}  // namespace flashsale::memory
