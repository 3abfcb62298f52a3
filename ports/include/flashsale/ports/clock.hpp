#pragma once

#include "flashsale/core/time.hpp"

namespace flashsale::ports {

/// Wall clock. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual core::TimePoint Now() const = 0;
};

}  // namespace flashsale::ports
