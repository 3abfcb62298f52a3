#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "flashsale/ports/clock.hpp"

namespace flashsale::memory {

/// A clock that moves only when told to: for tests of sale windows and expiries. Thread-safe.
class ManualClock final : public ports::Clock {
 public:
  explicit ManualClock(domain::TimePoint start = domain::FromUnixMillis(1'700'000'000'000))
      : ms_(domain::ToUnixMillis(start)) {}
  domain::TimePoint Now() const override { return domain::FromUnixMillis(ms_.load()); }
  void Set(domain::TimePoint t) { ms_.store(domain::ToUnixMillis(t)); }
  void Advance(std::chrono::milliseconds d) { ms_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> ms_;
};

}  // namespace flashsale::memory
