#pragma once

#include "flashsale/core/ids.hpp"

namespace flashsale::ports {

/// Order ids: unique across processes, sortable by creation time. Thread-safe.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual core::OrderId Next() = 0;
};

}  // namespace flashsale::ports
