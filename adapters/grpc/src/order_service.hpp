#pragma once

// Internal to the gRPC adapter: flashsale.OrderService on the callback API.

#include "call_reactor.hpp"
#include "flashsale.grpc.pb.h"
#include "flashsale/rpc/grpc_server.hpp"
#include "flashsale/serving/blocking_pool.hpp"
#include "status_mapping.hpp"

namespace flashsale::rpc {

/// Every method of OrderService, registered raw (call_reactor.hpp): the request bytes are
/// parsed here, so a malformed message is INVALID_ARGUMENT "malformed request", then handled
/// by the method's typed handler. Purchase completes from the store's completion (no thread
/// pinned while Redis answers); GetOrder runs its blocking lookup on a small pool.
/// Thread-safe.
using RawOrderService = flashsale::OrderService::WithRawCallbackMethod_Purchase<
    flashsale::OrderService::WithRawCallbackMethod_GetOrder<
        flashsale::OrderService::WithRawCallbackMethod_Checkout<
            flashsale::OrderService::WithRawCallbackMethod_CompleteCheckout<
                flashsale::OrderService::WithRawCallbackMethod_GetSaleStatus<
                    flashsale::OrderService::Service>>>>>;

class OrderServiceImpl final : public RawOrderService {
 public:
  OrderServiceImpl(const GrpcOptions& options, GrpcServices services);

  grpc::ServerUnaryReactor* Purchase(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* reply) override;
  grpc::ServerUnaryReactor* GetOrder(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* reply) override;
  grpc::ServerUnaryReactor* Checkout(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* reply) override;
  grpc::ServerUnaryReactor* CompleteCheckout(grpc::CallbackServerContext* context,
                                             const grpc::ByteBuffer* request,
                                             grpc::ByteBuffer* reply) override;
  grpc::ServerUnaryReactor* GetSaleStatus(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* reply) override;

  /// Finishes the queued lookups and joins the pool (after the server has shut down).
  void StopPool() { pool_.Stop(); }

 private:
  using Clock = std::chrono::steady_clock;
  template <class Request, class Response>
  using Handler = void (OrderServiceImpl::*)(grpc::CallbackServerContext*, TypedCall<Response>*,
                                             const Request&, Clock::time_point);

  /// Parses the request bytes (INVALID_ARGUMENT "malformed request" when they are not a
  /// `Request`), then runs `handler` on a fresh call answering a `Response`.
  template <class Request, class Response>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* bytes, grpc::ByteBuffer* reply,
                                  ports::RouteMetrics& route, Handler<Request, Response> handler);

  // The typed handlers: each answers its call exactly once (Finish).
  void PurchaseCall(grpc::CallbackServerContext* context,
                    TypedCall<flashsale::PurchaseResponse>* call,
                    const flashsale::PurchaseRequest& request, Clock::time_point start);
  void GetOrderCall(grpc::CallbackServerContext* context,
                    TypedCall<flashsale::GetOrderResponse>* call,
                    const flashsale::GetOrderRequest& request, Clock::time_point start);
  // checkout_service.cpp
  void CheckoutCall(grpc::CallbackServerContext* context,
                    TypedCall<flashsale::CheckoutResponse>* call,
                    const flashsale::CheckoutRequest& request, Clock::time_point start);
  void CompleteCheckoutCall(grpc::CallbackServerContext* context,
                            TypedCall<flashsale::CompleteCheckoutResponse>* call,
                            const flashsale::CompleteCheckoutRequest& request,
                            Clock::time_point start);
  void GetSaleStatusCall(grpc::CallbackServerContext* context,
                         TypedCall<flashsale::GetSaleStatusResponse>* call,
                         const flashsale::GetSaleStatusRequest& request, Clock::time_point start);

  void Finish(CallReactor* call, const grpc::Status& status, ports::RouteMetrics& method,
              Clock::time_point start);

  /// Runs `proceed` when the call is within the rate limits of `user` and the client
  /// address (at once when limits are off); otherwise finishes with RESOURCE_EXHAUSTED and a
  /// google.rpc.RetryInfo.
  template <class Proceed>
  void WithinLimits(grpc::CallbackServerContext* context, CallReactor* reactor,
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
  bool Expired(grpc::CallbackServerContext* context, CallReactor* reactor,
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
