#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "flashsale/domain/rate.hpp"
#include "flashsale/domain/result.hpp"

namespace flashsale::ports {

using RateBucket = domain::RateBucket;
using RateVerdict = domain::RateVerdict;

using AdmitDone = std::function<void(domain::Result<RateVerdict>)>;

/// Token buckets shared by every front door using the same backend.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;

  /// Atomically: when every bucket has a token, takes one from each (allowed); otherwise
  /// takes none (refused). Completes exactly once, on any thread (inline for memory, the
  /// I/O thread for Redis); `done` must not block. Unavailable when the backend can't be
  /// reached. Thread-safe.
  virtual void Admit(std::vector<RateBucket> buckets, AdmitDone done) = 0;
};

}  // namespace flashsale::ports
