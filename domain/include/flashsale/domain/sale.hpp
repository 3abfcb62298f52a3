#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/result.hpp"
#include "flashsale/domain/time.hpp"

namespace flashsale::domain {

struct SaleItem {
  ItemId id;
  std::int64_t stock = 0;        ///< initial units, >= 0
  std::int64_t price_cents = 0;  ///< unit price, >= 0
  std::string name;              ///< display name: UTF-8, no control characters, <= 200 bytes
};

inline constexpr std::size_t kMaxItemNameBytes = 200;
inline constexpr std::size_t kMaxSaleItems = 100;
inline constexpr std::int64_t kMaxItemStock = 1'000'000'000;
/// The largest per-user limit a sale may have.
inline constexpr std::int32_t kMaxPerUserLimit = 1'000'000;
inline constexpr std::int64_t kMaxPriceCents = std::int64_t{1} << 40;

/// True for valid UTF-8 without control characters, at most kMaxItemNameBytes bytes.
bool IsValidDisplayName(std::string_view name) noexcept;

/// A sale: a window [starts_at, ends_at), its items and a per-user limit on the units one
/// user may buy across all items of the sale.
struct Sale {
  SaleId id;
  std::vector<SaleItem> items;
  std::int32_t per_user_limit = 10;
  TimePoint starts_at;
  TimePoint ends_at;

  bool IsActiveAt(TimePoint now) const noexcept { return starts_at <= now && now < ends_at; }
  /// Ends the sale early at `at`: ends_at = at, and starts_at = at - 1 ms when it had not
  /// started (the window stays valid, and lies in the past). false, unchanged, when the sale
  /// had ended by `at`.
  bool CloseAt(TimePoint at) noexcept {
    if (ends_at <= at) return false;
    ends_at = at;
    if (starts_at >= at) starts_at = at - std::chrono::milliseconds(1);
    return true;
  }
  const SaleItem* FindItem(const ItemId& item) const noexcept;
  /// InvalidRequest when the sale is not internally consistent: no items or more than
  /// kMaxSaleItems, duplicate items, stock or price out of range, a bad item name, limit < 1,
  /// or ends_at <= starts_at.
  Result<void> Validate() const;
};

}  // namespace flashsale::domain
