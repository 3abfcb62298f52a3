#pragma once

#include <chrono>
#include <cstddef>

#include "flashsale/ports/clock.hpp"
#include "flashsale/ports/logger.hpp"
#include "flashsale/ports/metrics.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::core {

struct ExpireHoldsOptions {
  /// Holds expired per store call; a pass repeats the call while a full batch came back, at
  /// most max_calls times per sale, so one pass does bounded work. Defaults 500 and 20.
  std::size_t batch = 500;
  int max_calls = 20;
  /// Ended sales are retired (their keys expire after this) once no hold is left and every
  /// order is persisted. Default 24 h.
  std::chrono::milliseconds retention = std::chrono::hours(24);
};

/// The expiry sweep: gives the units of expired holds back (so a sale never undersells), and
/// retires sales that are over. It goes through every sale the store still holds (not only
/// recent ones: a sale whose persistence lagged long after its end still gets retired). Safe
/// to run from any number of instances at once: every store call is atomic and idempotent.
/// Run it periodically, off request threads.
class ExpireHolds {
 public:
  ExpireHolds(ports::StockStore& store, const ports::Clock& clock, ports::Metrics& metrics,
              ports::Logger& log, ExpireHoldsOptions options = {});

  /// One pass over the store's live sales. Returns the holds expired by this pass.
  std::size_t RunOnce();

 private:
  std::size_t ExpireSale(const domain::SaleId& sale, domain::TimePoint now);

  /// Logs a failure once, until the next success.
  void Failed(std::string_view what, const domain::Error& error);
  void Succeeded();

  ports::StockStore& store_;
  const ports::Clock& clock_;
  ports::Metrics& metrics_;
  ports::Logger& log_;
  ExpireHoldsOptions options_;
  bool failing_ = false;  // the last pass failed (logged once, then on recovery)
};

}  // namespace flashsale::core
