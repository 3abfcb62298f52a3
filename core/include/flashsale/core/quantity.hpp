#pragma once

#include <cstdint>

#include "flashsale/core/result.hpp"

namespace flashsale::core {

/// Units in one order: 1..max_per_order.
class Quantity {
 public:
  /// InvalidRequest unless 1 <= value <= max_per_order.
  static Result<Quantity> Parse(std::int64_t value, std::int32_t max_per_order);

  std::int32_t value() const noexcept { return value_; }
  friend auto operator<=>(const Quantity&, const Quantity&) = default;

 private:
  explicit Quantity(std::int32_t value) : value_(value) {}
  std::int32_t value_;
};

}  // namespace flashsale::core
