#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace flashsale::domain {

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

}  // namespace flashsale::domain
