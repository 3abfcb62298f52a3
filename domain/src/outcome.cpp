// Names and default details of outcomes and order statuses.
#include "flashsale/domain/outcome.hpp"

#include <array>
#include <utility>

#include "flashsale/domain/order.hpp"

namespace flashsale::domain {
namespace {

struct OutcomeText {
  Outcome outcome;
  std::string_view name;    // stable: stored answers, logs, metrics labels
  std::string_view detail;  // default human-readable detail
};

constexpr std::array<OutcomeText, kAllOutcomes.size()> kOutcomeTexts{{
    {Outcome::kAccepted, "accepted", "accepted"},
    {Outcome::kSoldOut, "sold_out", "sold out"},
    {Outcome::kUserLimitReached, "user_limit_reached", "per-user limit reached"},
    {Outcome::kSaleNotActive, "sale_not_active", "the sale is not active"},
    {Outcome::kUnknownItem, "unknown_item", "unknown item"},
    {Outcome::kNotFound, "not_found", "not found"},
    {Outcome::kUnknownCheckout, "unknown_checkout", "unknown checkout code"},
    {Outcome::kCheckoutExpired, "checkout_expired", "checkout code has expired"},
    {Outcome::kCheckoutUsed, "checkout_used", "checkout code already used"},
    {Outcome::kInvalidRequest, "invalid_request", "invalid request"},
    {Outcome::kDuplicateRequest, "duplicate_request",
     "request_id was already used with a different payload"},
    {Outcome::kRateLimited, "rate_limited", "rate limited"},
    {Outcome::kUnavailable, "unavailable", "the service is unavailable; retry"},
    {Outcome::kInternal, "internal", "internal error"},
}};

constexpr std::array<std::pair<OrderStatus, std::string_view>, 3> kStatusNames{{
    {OrderStatus::kPending, "pending"},
    {OrderStatus::kConfirmed, "confirmed"},
    {OrderStatus::kFailed, "failed"},
}};

const OutcomeText& TextOf(Outcome outcome) noexcept {
  for (const auto& text : kOutcomeTexts) {
    if (text.outcome == outcome) return text;
  }
  return kOutcomeTexts.back();  // kInternal
}

}  // namespace

std::string_view ToString(Outcome outcome) noexcept { return TextOf(outcome).name; }

std::string_view DefaultDetail(Outcome outcome) noexcept { return TextOf(outcome).detail; }

bool FromString(std::string_view name, Outcome& out) noexcept {
  for (const auto& text : kOutcomeTexts) {
    if (text.name == name) {
      out = text.outcome;
      return true;
    }
  }
  return false;
}

std::string_view ToString(OrderStatus status) noexcept {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "pending";
}

bool FromString(std::string_view name, OrderStatus& out) noexcept {
  for (const auto& [value, candidate] : kStatusNames) {
    if (candidate == name) {
      out = value;
      return true;
    }
  }
  return false;
}

}  // namespace flashsale::domain
