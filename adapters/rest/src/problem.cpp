#include "problem.hpp"

#include "flashsale/domain/text.hpp"

namespace flashsale::rest {

HttpOutcome ToHttp(domain::Outcome outcome) {
  using domain::Outcome;
  switch (outcome) {
    case Outcome::kAccepted:
      return {200, "order placed successfully", "", "OK"};
    case Outcome::kInvalidRequest:
      return {400, "invalid request body", "invalid-request", "Invalid request"};
    case Outcome::kUnknownItem:
      return {404, "unknown item", "unknown-item", "Unknown item"};
    case Outcome::kNotFound:
      return {404, "not found", "not-found", "Not found"};
    case Outcome::kUnknownCheckout:
      return {404, "unknown checkout code", "unknown-checkout", "Unknown checkout code"};
    case Outcome::kCheckoutExpired:
      return {410, "checkout code has expired", "checkout-expired", "Checkout code expired"};
    case Outcome::kCheckoutUsed:
      return {409, "checkout code already used", "checkout-used", "Checkout code already used"};
    case Outcome::kDuplicateRequest:
      return {409, "duplicate request", "duplicate-request", "Duplicate request"};
    case Outcome::kSoldOut:
      return {410, "sold out", "sold-out", "Sold out"};
    case Outcome::kUserLimitReached:
      return {403, "user limit reached", "user-limit-reached", "Per-user limit reached"};
    case Outcome::kSaleNotActive:
      return {409, "sale not active", "sale-not-active", "Sale not active"};
    case Outcome::kRateLimited:
      return {429, "rate limited", "rate-limited", "Too many requests"};
    case Outcome::kUnavailable:
      return {503, "service unavailable", "unavailable", "Service unavailable"};
    case Outcome::kInternal:
      break;
  }
  return {500, "internal error", "internal", "Internal error"};
}

std::string ProblemJson(int code, std::string_view slug, std::string_view title,
                        std::string_view message, std::string_view detail, std::string_view extra) {
  std::string out;
  out.reserve(160 + detail.size() + extra.size());
  out += "{\"type\":\"/problems/";
  out += slug;
  out += "\",\"title\":";
  domain::AppendJsonString(out, title);
  out += ",\"status\":";
  out += std::to_string(code);
  out += ",\"detail\":";
  domain::AppendJsonString(out, detail);
  out += ",\"success\":false,\"message\":";
  domain::AppendJsonString(out, message);
  out += extra;
  out += '}';
  return out;
}

}  // namespace flashsale::rest
