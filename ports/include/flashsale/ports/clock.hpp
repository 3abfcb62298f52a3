#pragma once

#include "flashsale/domain/time.hpp"

namespace flashsale::ports {

/// Wall clock. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual domain::TimePoint Now() const = 0;
};

}  // namespace flashsale::ports
