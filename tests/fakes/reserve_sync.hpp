#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>

#include "flashsale/ports/stock_store.hpp"

namespace flashsale::testing {

/// Waits (up to 5 s) for a Reserve completion; Internal (and a test failure) on a timeout.
inline domain::PurchaseReply ReserveSync(ports::StockStore& store,
                                         const domain::Reservation& reservation) {
  auto promise = std::make_shared<std::promise<domain::PurchaseReply>>();
  auto future = promise->get_future();
  store.Reserve(reservation,
                [promise](domain::PurchaseReply reply) { promise->set_value(std::move(reply)); });
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    ADD_FAILURE() << "Reserve did not complete within 5 s";
    domain::PurchaseReply timeout;
    timeout.outcome = domain::Outcome::kInternal;
    return timeout;
  }
  return future.get();
}

}  // namespace flashsale::testing
