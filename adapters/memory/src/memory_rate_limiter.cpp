#include "flashsale/memory/memory_rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace flashsale::memory {

using std::chrono::microseconds;

MemoryRateLimiter::Shard& MemoryRateLimiter::ShardOf(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

void MemoryRateLimiter::Sweep(double now_ms) {
  const std::uint64_t n = admits_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n % kSweepEvery != 0) return;
  Shard& shard = shards_[(n / kSweepEvery) % kShards];
  std::lock_guard lock(shard.mu);
  std::erase_if(shard.tat_ms, [now_ms](const auto& entry) { return entry.second <= now_ms; });
}

void MemoryRateLimiter::Admit(std::vector<ports::RateBucket> buckets, ports::AdmitDone done) {
  const double now = static_cast<double>(domain::ToUnixMillis(clock_.Now()));
  // Lock every shard involved, in index order (no deadlock between two admits).
  std::vector<std::size_t> order;
  for (const auto& b : buckets) {
    order.push_back(static_cast<std::size_t>(&ShardOf(b.key) - shards_.data()));
  }
  std::sort(order.begin(), order.end());
  order.erase(std::unique(order.begin(), order.end()), order.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (std::size_t i : order) locks.emplace_back(shards_[i].mu);

  ports::RateVerdict verdict;
  std::vector<double> tats(buckets.size());
  double longest_wait = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const double interval = 1000.0 / buckets[i].per_second;  // ms per token
    auto& map = ShardOf(buckets[i].key).tat_ms;
    auto it = map.find(buckets[i].key);
    tats[i] = std::max(it == map.end() ? now : it->second, now);
    const double wait = tats[i] - now - static_cast<double>(buckets[i].burst - 1) * interval;
    if (wait > longest_wait) {
      longest_wait = wait;
      verdict.allowed = false;
      verdict.binding = i;
      verdict.retry_after = microseconds(static_cast<std::int64_t>(std::ceil(wait * 1000)));
      verdict.reset = microseconds(static_cast<std::int64_t>(std::ceil((tats[i] - now) * 1000)));
    }
  }
  if (verdict.allowed) {
    std::int64_t fewest = -1;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      const double interval = 1000.0 / buckets[i].per_second;
      const double next = tats[i] + interval;
      ShardOf(buckets[i].key).tat_ms[buckets[i].key] = next;
      const auto left = static_cast<std::int64_t>(std::floor(
          (static_cast<double>(buckets[i].burst) * interval - (next - now)) / interval + 1e-9));
      if (fewest < 0 || left < fewest) {
        fewest = left;
        verdict.binding = i;
        verdict.remaining = left;
        verdict.reset = microseconds(static_cast<std::int64_t>(std::ceil((next - now) * 1000)));
      }
    }
  }
  locks.clear();
  Sweep(now);
  done(verdict);
}

std::size_t MemoryRateLimiter::size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.tat_ms.size();
  }
  return n;
}

}  // namespace flashsale::memory
