#include "status_mapping.hpp"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace flashsale::rpc {

GrpcOutcome ToGrpc(domain::Outcome outcome) {
  using domain::Outcome;
  switch (outcome) {
    case Outcome::kAccepted:
      return {grpc::StatusCode::OK, ""};
    case Outcome::kInvalidRequest:
      return {grpc::StatusCode::INVALID_ARGUMENT, "INVALID_ARGUMENT"};
    case Outcome::kUnknownItem:
      return {grpc::StatusCode::NOT_FOUND, "UNKNOWN_ITEM"};
    case Outcome::kNotFound:
      return {grpc::StatusCode::NOT_FOUND, "NOT_FOUND"};
    case Outcome::kUnknownCheckout:
      return {grpc::StatusCode::NOT_FOUND, "UNKNOWN_CHECKOUT"};
    case Outcome::kCheckoutExpired:
      return {grpc::StatusCode::FAILED_PRECONDITION, "CHECKOUT_EXPIRED"};
    case Outcome::kCheckoutUsed:
      return {grpc::StatusCode::ALREADY_EXISTS, "CHECKOUT_USED"};
    case Outcome::kDuplicateRequest:
      return {grpc::StatusCode::ALREADY_EXISTS, "DUPLICATE_REQUEST"};
    case Outcome::kSoldOut:
      return {grpc::StatusCode::FAILED_PRECONDITION, "SOLD_OUT"};
    case Outcome::kUserLimitReached:
      return {grpc::StatusCode::FAILED_PRECONDITION, "USER_LIMIT_REACHED"};
    case Outcome::kSaleNotActive:
      return {grpc::StatusCode::FAILED_PRECONDITION, "SALE_NOT_ACTIVE"};
    case Outcome::kRateLimited:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, "RATE_LIMITED"};
    case Outcome::kUnavailable:
      return {grpc::StatusCode::UNAVAILABLE, "UNAVAILABLE"};
    case Outcome::kInternal:
      break;
  }
  return {grpc::StatusCode::INTERNAL, "INTERNAL"};
}

grpc::Status ErrorStatus(domain::Outcome outcome, const std::string& detail,
                         const std::string& order_id) {
  const GrpcOutcome mapped = ToGrpc(outcome);
  const std::string message = detail.empty() ? std::string(domain::DefaultDetail(outcome)) : detail;
  google::rpc::ErrorInfo info;
  info.set_reason(mapped.reason);
  info.set_domain("flashsale");
  if (!order_id.empty()) (*info.mutable_metadata())["order_id"] = order_id;
  google::rpc::Status status;
  status.set_code(static_cast<int>(mapped.code));
  status.set_message(message);
  status.add_details()->PackFrom(info);
  return grpc::Status(mapped.code, message, status.SerializeAsString());
}

grpc::Status RateLimitedStatus(const core::Admission& admission) {
  const GrpcOutcome mapped = ToGrpc(domain::Outcome::kRateLimited);
  const std::string message = std::string("too many requests for this ") +
                              (admission.policy == "user" ? "user" : "client address") +
                              "; retry after the RetryInfo delay";
  google::rpc::ErrorInfo info;
  info.set_reason(mapped.reason);
  info.set_domain("flashsale");
  auto& metadata = *info.mutable_metadata();
  metadata["policy"] = std::string(admission.policy);
  metadata["quota"] = std::to_string(admission.rate.burst);
  metadata["window_s"] = std::to_string(admission.rate.WindowSeconds());
  google::rpc::RetryInfo retry;
  const auto wait = std::max<std::int64_t>(admission.retry_after.count(), 1);
  retry.mutable_retry_delay()->set_seconds(wait / 1'000'000);
  retry.mutable_retry_delay()->set_nanos(static_cast<std::int32_t>((wait % 1'000'000) * 1000));
  google::rpc::Status status;
  status.set_code(static_cast<int>(mapped.code));
  status.set_message(message);
  status.add_details()->PackFrom(info);
  status.add_details()->PackFrom(retry);
  return grpc::Status(mapped.code, message, status.SerializeAsString());
}

}  // namespace flashsale::rpc
