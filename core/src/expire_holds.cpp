#include "flashsale/core/expire_holds.hpp"

namespace flashsale::core {

ExpireHolds::ExpireHolds(ports::StockStore& store, const ports::Clock& clock,
                         ports::Metrics& metrics, ports::Logger& log, ExpireHoldsOptions options)
    : store_(store), clock_(clock), metrics_(metrics), log_(log), options_(options) {}

std::size_t ExpireHolds::RunOnce() {
  const domain::TimePoint now = clock_.Now();
  auto live = store_.LiveSales();
  if (!live) {
    Failed("listing live sales", live.error());
    return 0;
  }
  std::size_t expired = 0;
  for (const domain::SaleId& sale : *live) {
    expired += ExpireSale(sale, now);
    // Not retirable yet (open, holds, queued entries) is a plain false: try again next pass.
    auto retired = store_.Retire(sale, now, options_.retention);
    if (!retired && retired.error().outcome != domain::Outcome::kNotFound) {
      Failed("retiring a sale", retired.error());
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
      if (batch.error().outcome != domain::Outcome::kNotFound) {
        Failed("expiring holds", batch.error());
      }
      return expired;
    }
    Succeeded();
    expired += *batch;
    if (*batch < options_.batch) break;
  }
  return expired;
}

void ExpireHolds::Failed(std::string_view what, const domain::Error& error) {
  if (failing_) return;
  failing_ = true;
  log_.Warn("hold expiry sweep failed; retrying every pass",
            {{"step", std::string(what)}, {"detail", error.detail}});
}

void ExpireHolds::Succeeded() {
  if (!failing_) return;
  failing_ = false;
  log_.Info("hold expiry sweep recovered");
}

}  // namespace flashsale::core
