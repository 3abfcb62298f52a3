#pragma once

#include <chrono>
#include <cstddef>

#include "flashsale/domain/outcome.hpp"

namespace flashsale::ports {

/// Domain events worth counting. Implementations must be cheap and thread-safe; they are
/// called on the hot path. No user ids ever reach a metric.
class Metrics {
 public:
  virtual ~Metrics() = default;
  /// A purchase was answered with `outcome` after `latency` (validation to completion).
  virtual void PurchaseAnswered(domain::Outcome outcome, std::chrono::nanoseconds latency) = 0;
  /// A checkout (hold) / a completion was answered with `outcome` after `latency`.
  virtual void CheckoutAnswered(domain::Outcome outcome, std::chrono::nanoseconds latency) = 0;
  virtual void CompletionAnswered(domain::Outcome outcome, std::chrono::nanoseconds latency) = 0;
  /// Holds whose units went back on sale after their expiry.
  virtual void HoldsExpired(std::size_t count) = 0;
  /// A batch of `size` orders reached the repository in `latency`.
  virtual void BatchSaved(std::size_t size, std::chrono::nanoseconds latency) = 0;
  /// Orders confirmed / released after a permanent failure.
  virtual void OrdersPersisted(std::size_t count) = 0;
  virtual void OrdersFailed(std::size_t count) = 0;
  /// A persistence step failed transiently and will be retried after a backoff.
  virtual void PersistRetried() = 0;
};

/// Discards everything.
class NullMetrics final : public Metrics {
 public:
  void PurchaseAnswered(domain::Outcome, std::chrono::nanoseconds) override {}
  void CheckoutAnswered(domain::Outcome, std::chrono::nanoseconds) override {}
  void CompletionAnswered(domain::Outcome, std::chrono::nanoseconds) override {}
  void HoldsExpired(std::size_t) override {}
  void BatchSaved(std::size_t, std::chrono::nanoseconds) override {}
  void OrdersPersisted(std::size_t) override {}
  void OrdersFailed(std::size_t) override {}
  void PersistRetried() override {}
};

}  // namespace flashsale::ports
