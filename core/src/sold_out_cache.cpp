#include "flashsale/core/sold_out_cache.hpp"

#include <utility>

namespace flashsale::core {

SoldOutCache::SoldOutCache(std::chrono::milliseconds max_staleness)
    : max_staleness_(max_staleness) {}

bool SoldOutCache::ShouldAnswerSoldOut(const domain::SaleId& sale, const domain::ItemId& item,
                                       const domain::UserId& user, SteadyTime now) const {
  std::shared_lock lock(mu_);
  auto s = sales_.find(sale.str());
  if (s == sales_.end()) return false;
  const SaleState& state = s->second;
  auto flag = state.flagged_until.find(item.str());
  if (flag == state.flagged_until.end() || flag->second <= now) return false;
  // Only with a buyer set of the same version: then `user` provably holds no units, so the
  // store could only answer SoldOut (or a stored rejection) too.
  if (!state.buyers || state.buyers_version != state.flag_version) return false;
  return state.buyers->count(user.str()) == 0;
}

bool SoldOutCache::MarkSoldOut(const domain::SaleId& sale, const domain::ItemId& item,
                               std::uint64_t version, SteadyTime now) {
  std::unique_lock lock(mu_);
  SaleState& state = sales_[sale.str()];
  state.flagged_until[item.str()] = now + max_staleness_;
  state.flag_version = version;
  if (state.buyers_version == version && state.buyers) return false;
  if (state.fetching) return false;
  state.fetching = true;
  return true;
}

void SoldOutCache::SetBuyers(const domain::SaleId& sale, std::uint64_t version,
                             std::shared_ptr<const Buyers> buyers) {
  std::unique_lock lock(mu_);
  SaleState& state = sales_[sale.str()];
  state.fetching = false;
  if (buyers) {
    state.buyers_version = version;
    state.buyers = std::move(buyers);
  }
}

void SoldOutCache::Clear(const domain::SaleId& sale, const domain::ItemId& item) {
  {
    std::shared_lock lock(mu_);
    auto s = sales_.find(sale.str());
    if (s == sales_.end() || !s->second.flagged_until.contains(item.str())) return;
  }
  std::unique_lock lock(mu_);
  auto s = sales_.find(sale.str());
  if (s != sales_.end()) s->second.flagged_until.erase(item.str());
}

}  // namespace flashsale::core
