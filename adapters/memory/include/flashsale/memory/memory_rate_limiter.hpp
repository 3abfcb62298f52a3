#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "flashsale/ports/clock.hpp"
#include "flashsale/ports/rate_limiter.hpp"

namespace flashsale::memory {

/// In-process token buckets (GCRA), for one process: buckets are not shared with other
/// instances. Buckets that are full again are forgotten, so memory follows the active keys.
/// Thread-safe; Admit completes inline.
class MemoryRateLimiter final : public ports::RateLimiter {
 public:
  explicit MemoryRateLimiter(const ports::Clock& clock) : clock_(clock) {}
  void Admit(std::vector<ports::RateBucket> buckets, ports::AdmitDone done) override;
  /// Buckets currently remembered (for tests of the forgetting).
  std::size_t size() const;

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, double> tat_ms;  ///< key -> theoretical arrival time
  };
  Shard& ShardOf(const std::string& key);
  /// Every kSweepEvery admits, one shard (in turn) forgets its full buckets.
  void Sweep(double now_ms);
  static constexpr std::uint64_t kSweepEvery = 1024;

  const ports::Clock& clock_;
  std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> admits_{0};
};

}  // namespace flashsale::memory
