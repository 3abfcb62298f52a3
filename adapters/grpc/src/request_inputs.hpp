#pragma once

// Internal to the gRPC adapter: the use cases' inputs read from the request messages. Only
// the generated messages are needed here (no gRPC), so the fuzz target fuzz_grpc can
// exercise exactly what the service methods hand the use cases.

#include <string>

#include "flashsale.pb.h"
#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/purchase.hpp"

namespace flashsale::rpc {

/// An empty sale_id means the server's default sale (`default_sale`).
domain::PurchaseInput PurchaseInputOf(const flashsale::PurchaseRequest& request,
                                      const std::string& default_sale);
domain::CheckoutInput CheckoutInputOf(const flashsale::CheckoutRequest& request,
                                      const std::string& default_sale);
domain::CompleteInput CompleteInputOf(const flashsale::CompleteCheckoutRequest& request);

}  // namespace flashsale::rpc
