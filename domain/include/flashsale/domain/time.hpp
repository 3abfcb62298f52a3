#pragma once

#include <chrono>
#include <cstdint>

namespace flashsale::domain {

/// Wall-clock instant; orders and sale windows use milliseconds since the Unix epoch.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

inline std::int64_t ToUnixMillis(TimePoint t) noexcept { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMillis(std::int64_t ms) noexcept {
  return TimePoint(std::chrono::milliseconds(ms));
}

}  // namespace flashsale::domain
