#include "flashsale/memory/memory_sale_repository.hpp"

#include <algorithm>

namespace flashsale::memory {

core::Result<void> MemorySaleRepository::Create(const core::Sale& sale) {
  if (auto valid = sale.Validate(); !valid) return valid.error();
  std::lock_guard lock(mu_);
  if (!sales_.emplace(sale.id.str(), sale).second) {
    return core::Error{core::Outcome::kDuplicateRequest, "a sale with this id exists"};
  }
  return core::Ok();
}

core::Result<std::optional<core::Sale>> MemorySaleRepository::Find(const core::SaleId& id) {
  std::lock_guard lock(mu_);
  auto it = sales_.find(id.str());
  if (it == sales_.end()) return std::optional<core::Sale>{};
  return std::optional<core::Sale>{it->second};
}

core::Result<std::vector<core::Sale>> MemorySaleRepository::List() {
  std::lock_guard lock(mu_);
  std::vector<core::Sale> out;
  for (const auto& [id, sale] : sales_) out.push_back(sale);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.starts_at < b.starts_at; });
  return out;
}

}  // namespace flashsale::memory
