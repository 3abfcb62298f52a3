#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "flashsale/domain/result.hpp"

namespace flashsale::ports {

/// One token bucket to draw from: `burst` tokens, refilled at `per_second` (GCRA: a bucket
/// is one "theoretical arrival time"). `key` names the bucket (e.g. "u:alice", "a:10.0.0.7");
/// the same key is the same bucket for every caller sharing the backend.
struct RateBucket {
  std::string key;
  double per_second = 1;
  std::int64_t burst = 1;
};

/// The answer for a set of buckets.
struct RateVerdict {
  bool allowed = true;
  /// The bucket the answer is about: the one that refused (the longest wait), or when
  /// allowed the one with the fewest tokens left.
  std::size_t binding = 0;
  std::int64_t remaining = 0;                ///< tokens left in it after this request
  std::chrono::microseconds retry_after{0};  ///< refused: until it has a token again
  std::chrono::microseconds reset{0};        ///< until it is full again
};

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
