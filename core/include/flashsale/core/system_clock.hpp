#pragma once

#include "flashsale/ports/clock.hpp"

namespace flashsale::core {

/// The real wall clock, millisecond resolution.
class SystemClock final : public ports::Clock {
 public:
  domain::TimePoint Now() const override;
};

}  // namespace flashsale::core
