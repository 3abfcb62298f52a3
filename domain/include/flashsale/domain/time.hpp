#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flashsale::domain {

/// Wall-clock instant; orders and sale windows use milliseconds since the Unix epoch.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

inline std::int64_t ToUnixMillis(TimePoint t) noexcept { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMillis(std::int64_t ms) noexcept {
  return TimePoint(std::chrono::milliseconds(ms));
}

/// RFC 3339 in UTC with milliseconds, e.g. "2026-11-23T14:00:00.000Z".
std::string FormatRfc3339(TimePoint t);

/// Parses an RFC 3339 date-time ("2026-11-23T14:00:00Z", "2026-11-23T15:00:00.250+01:00";
/// 't'/'z' accepted, fractions beyond milliseconds truncated, years 1970-9999). nullopt when
/// malformed or not a real date (Feb 30, hour 24, leap second 60).
std::optional<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace flashsale::domain
