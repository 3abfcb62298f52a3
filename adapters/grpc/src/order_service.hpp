#pragma once

// Internal to the gRPC adapter: flashsale.OrderService on the callback API.

#include "flashsale.grpc.pb.h"
#include "flashsale/rpc/grpc_server.hpp"
#include "flashsale/serving/blocking_pool.hpp"
#include "status_mapping.hpp"

namespace flashsale::rpc {

/// Purchase completes from the store's completion (no thread pinned while Redis answers);
/// GetOrder runs its blocking lookup on a small pool. Thread-safe.
class OrderServiceImpl final : public flashsale::OrderService::CallbackService {
 public:
  OrderServiceImpl(const GrpcOptions& options, GrpcServices services);

  grpc::ServerUnaryReactor* Purchase(grpc::CallbackServerContext* context,
                                     const flashsale::PurchaseRequest* request,
                                     flashsale::PurchaseResponse* response) override;
  grpc::ServerUnaryReactor* GetOrder(grpc::CallbackServerContext* context,
                                     const flashsale::GetOrderRequest* request,
                                     flashsale::GetOrderResponse* response) override;
  // checkout_service.cpp
  grpc::ServerUnaryReactor* Checkout(grpc::CallbackServerContext* context,
                                     const flashsale::CheckoutRequest* request,
                                     flashsale::CheckoutResponse* response) override;
  grpc::ServerUnaryReactor* CompleteCheckout(
      grpc::CallbackServerContext* context, const flashsale::CompleteCheckoutRequest* request,
      flashsale::CompleteCheckoutResponse* response) override;
  grpc::ServerUnaryReactor* GetSaleStatus(grpc::CallbackServerContext* context,
                                          const flashsale::GetSaleStatusRequest* request,
                                          flashsale::GetSaleStatusResponse* response) override;

  /// Finishes the queued lookups and joins the pool (after the server has shut down).
  void StopPool() { pool_.Stop(); }

 private:
  using Clock = std::chrono::steady_clock;
  void Finish(grpc::ServerUnaryReactor* reactor, const grpc::Status& status,
              ports::RouteMetrics& method, Clock::time_point start);

  /// Runs `proceed` when the call is within the rate limits of `user` and the client
  /// address (at once when limits are off); otherwise finishes with RESOURCE_EXHAUSTED and a
  /// google.rpc.RetryInfo.
  template <class Proceed>
  void WithinLimits(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                    ports::RouteMetrics& method, Clock::time_point start, std::string_view user,
                    Proceed proceed) {
    if (!services_.limits.enabled()) {
      proceed();
      return;
    }
    services_.limits.Admit(
        user, ClientAddress(context),
        [this, reactor, &method, start, proceed = std::move(proceed)](core::Admission admission) {
          if (admission.allowed) {
            proceed();
          } else {
            Finish(reactor, RateLimitedStatus(admission), method, start);
          }
        });
  }
  /// The peer's IP address, or with trust_proxy the last x-forwarded-for entry.
  std::string ClientAddress(grpc::CallbackServerContext* context) const;

  /// DEADLINE_EXCEEDED for a call whose deadline passed before it started (then finished).
  bool Expired(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
               ports::RouteMetrics& method, Clock::time_point start);

  bool trust_proxy_;
  GrpcServices services_;
  serving::BlockingPool pool_;
  ports::RouteMetrics& purchase_route_;
  ports::RouteMetrics& get_order_route_;
  ports::RouteMetrics& checkout_route_;
  ports::RouteMetrics& complete_route_;
  ports::RouteMetrics& status_route_;
};

}  // namespace flashsale::rpc
