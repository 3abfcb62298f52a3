#pragma once

#include "flashsale/domain/ids.hpp"

namespace flashsale::ports {

/// Order ids: unique across processes, sortable by creation time. Thread-safe.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual domain::OrderId Next() = 0;
};

}  // namespace flashsale::ports
