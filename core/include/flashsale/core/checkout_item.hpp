#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include "flashsale/domain/checkout.hpp"
#include "flashsale/ports/clock.hpp"
#include "flashsale/ports/id_generator.hpp"
#include "flashsale/ports/metrics.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::core {

struct CheckoutOptions {
  /// How long a checkout holds its unit. Default 10 minutes; at least 1 s.
  std::chrono::milliseconds hold_ttl = std::chrono::minutes(10);
};

/// Two-step buying, step one: validate, then hold one unit atomically in the StockStore
/// (which also records the attempt durably) and answer a checkout code with its expiry.
/// Completes through `done` like PlacePurchase (never blocking on I/O itself). Thread-safe.
class CheckoutItem {
 public:
  using Done = std::function<void(domain::CheckoutReply)>;

  CheckoutItem(ports::StockStore& store, ports::IdGenerator& ids, const ports::Clock& clock,
               ports::Metrics& metrics, CheckoutOptions options = {});

  /// InvalidRequest (nothing written) for a bad field, Unavailable while draining, or the
  /// store's answer.
  void Execute(const domain::CheckoutInput& input, Done done);

  /// Off while draining: every checkout is answered Unavailable, nothing is written.
  void SetAccepting(bool accepting) noexcept { accepting_.store(accepting); }
  std::chrono::milliseconds hold_ttl() const noexcept { return options_.hold_ttl; }

 private:
  void Finish(const domain::CheckoutReply& reply, std::chrono::steady_clock::time_point start,
              const Done& done);

  ports::StockStore& store_;
  ports::IdGenerator& ids_;
  const ports::Clock& clock_;
  ports::Metrics& metrics_;
  CheckoutOptions options_;
  std::atomic<bool> accepting_{true};
};

}  // namespace flashsale::core
