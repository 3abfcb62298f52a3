#pragma once

#include <cstdint>

#include "flashsale/domain/result.hpp"

namespace flashsale::domain {

/// The largest quantity any order may ever carry, whatever a deployment's max_per_order: the
/// bound used when reading orders back from a queue or a database (which were validated
/// against the smaller configured limit when they were placed).
inline constexpr std::int32_t kMaxQuantity = 1'000'000;

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

}  // namespace flashsale::domain
