#pragma once

// Internal to the gRPC adapter: the one outcome -> gRPC status table.

#include <grpcpp/support/status.h>

#include <string>

#include "flashsale/core/limit_requests.hpp"
#include "flashsale/domain/outcome.hpp"

namespace flashsale::rpc {

struct GrpcOutcome {
  grpc::StatusCode code;
  const char* reason;  ///< google.rpc.ErrorInfo reason
};

/// DESIGN.md section 9.
GrpcOutcome ToGrpc(domain::Outcome outcome);

/// A non-OK status for `outcome` with a google.rpc.ErrorInfo detail (domain "flashsale",
/// metadata order_id when given). `detail` empty: the outcome's default detail.
grpc::Status ErrorStatus(domain::Outcome outcome, const std::string& detail,
                         const std::string& order_id = {});

/// RESOURCE_EXHAUSTED for a request over its rate limit: a google.rpc.ErrorInfo (reason
/// RATE_LIMITED, metadata policy/quota/window_s) and a google.rpc.RetryInfo (retry_delay).
grpc::Status RateLimitedStatus(const core::Admission& admission);

/// The numeric gRPC status code, the label request metrics record for a gRPC call.
inline int StatusCodeNumber(grpc::StatusCode code) { return static_cast<int>(code); }

}  // namespace flashsale::rpc
