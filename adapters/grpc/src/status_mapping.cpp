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

}  // namespace flashsale::rpc
