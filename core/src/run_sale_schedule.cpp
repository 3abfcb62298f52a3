#include "flashsale/core/run_sale_schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace flashsale::core {

RunSaleSchedule::RunSaleSchedule(ManageSales& sales, const ports::Clock& clock,
                                 ScheduleOptions options)
    : sales_(sales), clock_(clock), options_(std::move(options)) {
  options_.period = std::max(options_.period, std::chrono::seconds(1));
}

domain::TimePoint RunSaleSchedule::WindowStart(domain::TimePoint t) const {
  const std::int64_t period_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.period).count();
  const std::int64_t ms = domain::ToUnixMillis(t);
  return domain::FromUnixMillis(ms - (((ms % period_ms) + period_ms) % period_ms));
}

domain::Sale RunSaleSchedule::WindowSale(domain::TimePoint start) const {
  const auto seconds = static_cast<std::time_t>(domain::ToUnixMillis(start) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  const std::string id =
      fmt::format("{}-{:04}{:02}{:02}T{:02}{:02}{:02}Z", options_.id_prefix, utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  domain::Sale sale{
      *domain::SaleId::Parse(id), {}, options_.per_user_limit, start, start + options_.period};
  sale.items.push_back(domain::SaleItem{*domain::ItemId::Parse(options_.item), options_.stock,
                                        options_.price_cents, options_.item_name});
  return sale;
}

domain::Result<std::size_t> RunSaleSchedule::RunOnce() {
  const domain::TimePoint now = clock_.Now();
  const domain::TimePoint current = WindowStart(now);
  std::vector<domain::TimePoint> windows{current};
  if (current + options_.period - now <= options_.lead)
    windows.push_back(current + options_.period);
  std::size_t created = 0;
  for (const domain::TimePoint start : windows) {
    auto ensured = sales_.Ensure(WindowSale(start));
    if (!ensured) return ensured.error();
    if (*ensured) ++created;
  }
  return created;
}

}  // namespace flashsale::core
