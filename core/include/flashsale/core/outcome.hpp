#pragma once

#include <string_view>

namespace flashsale::core {

/// The one answer vocabulary every adapter maps to its protocol (DESIGN.md section 9).
enum class Outcome {
  kAccepted,
  kSoldOut,
  kUserLimitReached,
  kSaleNotActive,
  kUnknownItem,
  kInvalidRequest,
  kDuplicateRequest,
  kRateLimited,
  kUnavailable,
  kInternal,
};

/// Stable snake_case name, used in logs, metrics labels and stored outcomes.
std::string_view ToString(Outcome outcome) noexcept;

/// Inverse of ToString; returns false for an unknown name.
bool FromString(std::string_view name, Outcome& out) noexcept;

/// Outcomes that are stored for idempotent replay: the final answers about the stock
/// (Accepted, SoldOut, UserLimitReached). Transient ones (Unavailable, RateLimited, Internal)
/// are never stored so a retry gets a fresh attempt; neither are answers about state that
/// will change (SaleNotActive before the start, UnknownItem before a sale is loaded) nor
/// InvalidRequest, which never reaches a store.
constexpr bool IsStorable(Outcome o) noexcept {
  return o == Outcome::kAccepted || o == Outcome::kSoldOut || o == Outcome::kUserLimitReached;
}

}  // namespace flashsale::core
