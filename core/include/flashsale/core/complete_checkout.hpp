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

/// Two-step buying, step two: turn a checkout code into an order exactly once, durably (the
/// order is enqueued in the same atomic step that consumes the hold, and persisted by the
/// same workers as one-step purchases). Completes through `done`. Thread-safe.
class CompleteCheckout {
 public:
  using Done = std::function<void(domain::CompleteReply)>;

  CompleteCheckout(ports::StockStore& store, ports::IdGenerator& ids, const ports::Clock& clock,
                   ports::Metrics& metrics);

  /// InvalidRequest for a malformed code or request id; Unavailable while draining; or the
  /// store's answer (Accepted, UnknownCheckout, CheckoutUsed, CheckoutExpired).
  void Execute(const domain::CompleteInput& input, Done done);

  /// Off while draining: every completion is answered Unavailable, nothing is written.
  void SetAccepting(bool accepting) noexcept { accepting_.store(accepting); }

 private:
  void Finish(const domain::CompleteReply& reply, std::chrono::steady_clock::time_point start,
              const Done& done);

  ports::StockStore& store_;
  ports::IdGenerator& ids_;
  const ports::Clock& clock_;
  ports::Metrics& metrics_;
  std::atomic<bool> accepting_{true};
};

}  // namespace flashsale::core
