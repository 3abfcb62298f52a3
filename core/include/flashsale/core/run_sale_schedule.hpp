#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "flashsale/core/manage_sales.hpp"
#include "flashsale/ports/clock.hpp"

namespace flashsale::core {

struct ScheduleOptions {
  /// Length of one window; a sale opens at every multiple of it since the Unix epoch (3600 s:
  /// every hour on the hour, open XX:00:00.000 to XX:59:59.999). At least 1 s.
  std::chrono::seconds period{3600};
  /// The next window's sale is created this long before it opens. Default 60 s.
  std::chrono::seconds lead{60};
  /// Sale ids are "<prefix>-YYYYMMDDTHHMMSSZ" (the window's start, UTC).
  std::string id_prefix = "hourly";
  std::string item = "flash-item";
  std::string item_name = "Flash sale item";
  std::int64_t stock = 10'000;
  std::int64_t price_cents = 9'900;
  std::int32_t per_user_limit = 10;
};

/// Opens a sale every period, on the period. Each window's sale has an id derived from its
/// start, so however many instances run this at once it is created once (the repository
/// refuses a second sale with the id) and loaded once (the store loads a sale only when
/// absent). Run it periodically, off request threads.
class RunSaleSchedule {
 public:
  RunSaleSchedule(ManageSales& sales, const ports::Clock& clock, ScheduleOptions options);

  /// Ensures the sale of the window open now exists, and the next one when it opens within
  /// `lead`. Returns how many sales this call created.
  domain::Result<std::size_t> RunOnce();

  /// The sale of the window starting at `start`.
  domain::Sale WindowSale(domain::TimePoint start) const;
  /// The start of the window containing `t`.
  domain::TimePoint WindowStart(domain::TimePoint t) const;

 private:
  ManageSales& sales_;
  const ports::Clock& clock_;
  ScheduleOptions options_;
};

}  // namespace flashsale::core
