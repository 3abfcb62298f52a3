#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace flashsale::tools {

/// Lock-free latency histogram in microseconds: exact below 1024 us, then 64 sub-buckets per
/// power of two (under 1.6% error), up to ~2^40 us. Record is wait-free; readers may see a
/// snapshot that is a few records behind. Thread-safe.
class LatencyHistogram {
 public:
  void Record(std::uint64_t micros) {
    counts_[Index(micros)].fetch_add(1, std::memory_order_relaxed);
    total_.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t seen = max_.load(std::memory_order_relaxed);
    while (micros > seen && !max_.compare_exchange_weak(seen, micros)) {
    }
  }

  std::uint64_t count() const { return total_.load(std::memory_order_relaxed); }
  std::uint64_t max() const { return max_.load(std::memory_order_relaxed); }

  /// Value at quantile q (0..1), as the upper bound of its bucket.
  std::uint64_t Quantile(double q) const {
    std::uint64_t total = count();
    if (total == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total));
    if (rank >= total) rank = total - 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i].load(std::memory_order_relaxed);
      if (seen > rank) return UpperBound(i);
    }
    return max();
  }

  /// Forgets everything recorded.
  void Reset() {
    for (auto& c : counts_) c.store(0);
    total_ = 0;
    max_ = 0;
  }

 private:
  static constexpr std::size_t kLinear = 1024;
  static constexpr std::size_t kSub = 64;
  static constexpr std::size_t kBuckets = kLinear + 31 * kSub;

  static std::size_t Index(std::uint64_t v) {
    if (v < kLinear) return static_cast<std::size_t>(v);
    int bit = 63 - __builtin_clzll(v);          // >= 10
    std::uint64_t sub = (v >> (bit - 6)) & 63;  // next 6 bits
    std::size_t index = kLinear + static_cast<std::size_t>(bit - 10) * kSub + sub;
    return index < kBuckets ? index : kBuckets - 1;
  }
  static std::uint64_t UpperBound(std::size_t index) {
    if (index < kLinear) return index;
    std::size_t bit = (index - kLinear) / kSub + 10;
    std::uint64_t sub = (index - kLinear) % kSub;
    return ((64 + sub + 1) << (bit - 6)) - 1;
  }

  std::array<std::atomic<std::uint64_t>, kBuckets> counts_{};
  std::atomic<std::uint64_t> total_{0};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace flashsale::tools
