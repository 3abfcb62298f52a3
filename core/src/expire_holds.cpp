#include "flashsale/core/expire_holds.hpp"

namespace flashsale::core {

ExpireHolds::ExpireHolds(ports::StockStore& store, SaleCatalog& catalog, const ports::Clock& clock,
                         ports::Metrics& metrics, ports::Logger& log, ExpireHoldsOptions options)
    : store_(store),
      catalog_(catalog),
      clock_(clock),
      metrics_(metrics),
      log_(log),
      options_(options) {}

std::size_t ExpireHolds::RunOnce() {
  const domain::TimePoint now = clock_.Now();
  std::size_t expired = 0;
  for (const domain::Sale& sale : catalog_.Recent()) {
    expired += ExpireSale(sale.id, now);
    if (sale.ends_at <= now) {
      auto retired = store_.Retire(sale.id, now, options_.retention);
      if (retired && *retired) continue;  // retired now or before: nothing logged
    }
  }
  if (expired > 0) metrics_.HoldsExpired(expired);
  return expired;
}

std::size_t ExpireHolds::ExpireSale(const domain::SaleId& sale, domain::TimePoint now) {
  std::size_t expired = 0;
  for (int call = 0; call < options_.max_calls; ++call) {
    auto batch = store_.ExpireHolds(sale, now, options_.batch);
    if (!batch) {
      if (!failing_ && batch.error().outcome != domain::Outcome::kNotFound) {
        log_.Warn("hold expiry failed; retrying every pass",
                  {{"sale", sale.str()}, {"detail", batch.error().detail}});
        failing_ = true;
      }
      return expired;
    }
    if (failing_) {
      log_.Info("hold expiry recovered", {{"sale", sale.str()}});
      failing_ = false;
    }
    expired += *batch;
    if (*batch < options_.batch) break;
  }
  return expired;
}

}  // namespace flashsale::core
