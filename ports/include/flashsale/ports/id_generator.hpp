#pragma once

#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/ids.hpp"

namespace flashsale::ports {

/// Identifiers the use cases mint. Thread-safe.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  /// Order ids: unique across processes, sortable by creation time.
  virtual domain::OrderId Next() = 0;
  /// Checkout attempt ids: unique across processes, sortable by creation time.
  virtual domain::AttemptId NextAttempt() = 0;
  /// A checkout code of `sale`: its secret must be unguessable (128 bits from the OS's
  /// cryptographic random source).
  virtual domain::CheckoutCode NextCheckoutCode(const domain::SaleId& sale) = 0;
};

}  // namespace flashsale::ports
