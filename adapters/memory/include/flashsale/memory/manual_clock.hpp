#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "flashsale/ports/clock.hpp"

namespace flashsale::memory {

/// A clock that moves only when told to: for tests of sale windows and expiries. Thread-safe.
class ManualClock final : public ports::Clock {
 public:
  explicit ManualClock(core::TimePoint start = core::FromUnixMillis(1'700'000'000'000))
      : ms_(core::ToUnixMillis(start)) {}
  core::TimePoint Now() const override { return core::FromUnixMillis(ms_.load()); }
  void Set(core::TimePoint t) { ms_.store(core::ToUnixMillis(t)); }
  void Advance(std::chrono::milliseconds d) { ms_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> ms_;
};

}  // namespace flashsale::memory
