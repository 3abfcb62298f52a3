#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace flashsale::domain {

/// The one answer vocabulary every adapter maps to its protocol (DESIGN.md section 9).
/// A new outcome is added here, to kAllOutcomes, to the two protocol tables (REST problem.cpp,
/// gRPC status table) and gets a name and a default detail in outcome.cpp: nowhere else.
enum class Outcome {
  kAccepted,
  kSoldOut,
  kUserLimitReached,
  kSaleNotActive,
  kUnknownItem,      ///< the item (or the sale it is asked in) is not on sale here
  kNotFound,         ///< a looked-up thing (order, sale) does not exist
  kUnknownCheckout,  ///< no hold has this checkout code
  kCheckoutExpired,  ///< the hold of this code expired (its unit went back on sale)
  kCheckoutUsed,     ///< the code was already turned into an order
  kInvalidRequest,
  kDuplicateRequest,
  kRateLimited,
  kUnavailable,
  kInternal,
};

/// Every outcome, in enum order (metrics pre-create one series per entry).
inline constexpr std::array<Outcome, 14> kAllOutcomes{
    Outcome::kAccepted,        Outcome::kSoldOut,          Outcome::kUserLimitReached,
    Outcome::kSaleNotActive,   Outcome::kUnknownItem,      Outcome::kNotFound,
    Outcome::kUnknownCheckout, Outcome::kCheckoutExpired,  Outcome::kCheckoutUsed,
    Outcome::kInvalidRequest,  Outcome::kDuplicateRequest, Outcome::kRateLimited,
    Outcome::kUnavailable,     Outcome::kInternal};

/// Stable snake_case name, used in logs, metrics labels and stored outcomes.
std::string_view ToString(Outcome outcome) noexcept;

/// Inverse of ToString; returns false for an unknown name.
bool FromString(std::string_view name, Outcome& out) noexcept;

/// The human-readable detail an adapter gives when the store or use case gave none
/// ("sold out", "per-user limit reached", ...). Every adapter uses this one table.
std::string_view DefaultDetail(Outcome outcome) noexcept;

/// Outcomes that are stored for idempotent replay: the final answers about the stock
/// (Accepted, SoldOut, UserLimitReached). Transient ones (Unavailable, RateLimited, Internal)
/// are never stored so a retry gets a fresh attempt; neither are answers about state that
/// will change (SaleNotActive before the start, UnknownItem before a sale is loaded) nor
/// InvalidRequest, which never reaches a store.
constexpr bool IsStorable(Outcome o) noexcept {
  return o == Outcome::kAccepted || o == Outcome::kSoldOut || o == Outcome::kUserLimitReached;
}

/// The detail of an Unavailable answer given when the store was lost (connection dropped,
/// reply timed out, crash) after the request was sent: it may or may not have been carried
/// out. Every other Unavailable means it was not. Starts with "outcome unknown".
inline constexpr std::string_view kOutcomeUnknownDetail =
    "outcome unknown: the store was lost before it answered; retry with the same request_id "
    "to learn the outcome";

}  // namespace flashsale::domain
