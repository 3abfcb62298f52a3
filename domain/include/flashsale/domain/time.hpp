#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace flashsale::domain {

/// Wall-clock instant; orders and sale windows use milliseconds since the Unix epoch.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

inline std::int64_t ToUnixMillis(TimePoint t) noexcept { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMillis(std::int64_t ms) noexcept {
  return TimePoint(std::chrono::milliseconds(ms));
}

/// RFC 3339 in UTC with milliseconds, e.g. "2026-11-23T14:00:00.000Z".
std::string FormatRfc3339(TimePoint t);

}  // namespace flashsale::domain
