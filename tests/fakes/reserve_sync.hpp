#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>

#include "flashsale/ports/stock_store.hpp"

namespace flashsale::testing {

/// Calls `start` with a completion and waits (up to 5 s) for it; a reply with outcome
/// Internal (and a test failure) on a timeout.
template <class Reply, class Start>
Reply AwaitReply(Start start) {
  auto promise = std::make_shared<std::promise<Reply>>();
  auto future = promise->get_future();
  start([promise](Reply reply) { promise->set_value(std::move(reply)); });
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    ADD_FAILURE() << "the store did not complete within 5 s";
    Reply timeout;
    timeout.outcome = domain::Outcome::kInternal;
    return timeout;
  }
  return future.get();
}

inline domain::PurchaseReply ReserveSync(ports::StockStore& store,
                                         const domain::Reservation& reservation) {
  return AwaitReply<domain::PurchaseReply>(
      [&](ports::ReserveDone done) { store.Reserve(reservation, std::move(done)); });
}

inline domain::CheckoutReply CheckoutSync(ports::StockStore& store,
                                          const domain::HoldRequest& hold) {
  return AwaitReply<domain::CheckoutReply>(
      [&](ports::CheckoutDone done) { store.Checkout(hold, std::move(done)); });
}

inline domain::CompleteReply CompleteSync(ports::StockStore& store,
                                          const domain::Completion& completion) {
  return AwaitReply<domain::CompleteReply>(
      [&](ports::CompleteDone done) { store.Complete(completion, std::move(done)); });
}

}  // namespace flashsale::testing
