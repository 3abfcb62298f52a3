#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "flashsale/core/checkout_item.hpp"
#include "flashsale/core/complete_checkout.hpp"
#include "flashsale/core/get_order.hpp"
#include "flashsale/core/get_sale_status.hpp"
#include "flashsale/core/limit_requests.hpp"
#include "flashsale/core/place_purchase.hpp"
#include "flashsale/ports/request_metrics.hpp"
#include "flashsale/serving/front_door.hpp"

namespace flashsale::rpc {

struct GrpcOptions {
  /// Listen address. Default 0.0.0.0.
  std::string address = "0.0.0.0";
  /// TCP port, 0 = any free port (see GrpcServer::port()). Default 50051.
  int port = 50051;
  /// Threads for blocking lookups (GetOrder). Default 4.
  int blocking_threads = 4;
  /// Take the client address for rate limits from the x-forwarded-for metadata (its last
  /// entry) instead of the peer: only behind a proxy that sets it. Default false.
  bool trust_proxy = false;
  /// Largest request message accepted (RESOURCE_EXHAUSTED above). These messages are a few
  /// hundred bytes; gRPC's default is 4 MiB. Default 16 KiB.
  int max_receive_message_bytes = 16 * 1024;
  /// Largest request metadata (headers) accepted. Default 8 KiB (gRPC's default too).
  int max_metadata_bytes = 8 * 1024;
  /// Concurrent calls per HTTP/2 connection. Default 256.
  int max_concurrent_streams = 256;
};

/// What the gRPC front door serves: use cases and the request metrics it records.
struct GrpcServices {
  core::PlacePurchase& purchase;
  core::GetOrder& orders;
  core::CheckoutItem& checkout;
  core::CompleteCheckout& complete;
  core::GetSaleStatus& sale_status;
  ports::RequestMetrics& metrics;
  /// The sale of requests that name none (the sale open now, with a schedule).
  std::function<std::string()> default_sale;
  /// Rate limits of Purchase, Checkout and CompleteCheckout.
  core::LimitRequests& limits;
};

/// The gRPC front door: flashsale.OrderService on the callback API (a purchase never pins a
/// thread while Redis answers), grpc.health.v1 and server reflection. Errors are real status
/// codes with a google.rpc.ErrorInfo (domain "flashsale"). Thread-safe.
class GrpcServer final : public serving::FrontDoor {
 public:
  GrpcServer(GrpcOptions options, GrpcServices services);
  ~GrpcServer() override;
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  std::string_view transport() const override { return "grpc"; }
  void Start() override;
  int port() const override;
  /// Health: SERVING / NOT_SERVING (for the overall server and flashsale.OrderService).
  void SetServing(bool serving) override;
  /// Stops accepting, lets in-flight calls finish until `deadline`, then cancels the rest.
  bool Shutdown(std::chrono::steady_clock::time_point deadline) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flashsale::rpc
