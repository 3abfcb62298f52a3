#include "flashsale/core/system_clock.hpp"

#include <chrono>

namespace flashsale::core {

domain::TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace flashsale::core
